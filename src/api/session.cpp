#include "smallpond/session.h"

#include <cstdio>
#include <cstdlib>

#include "api/session_state.h"
#include "common/code_location.h"
#include "common/strings.h"
#include "driver/explain.h"
#include "engine/engine.h"
#include "engine/row_json.h"
#include "engine/row_schema.h"
#include "exec/executor_main.h"
#include "exec/mpi/mpi_runtime.h"
#include "exec/tcp_pool.h"
#include "io/durable.h"
#include "io/filesystem.h"
#include "io/job_dir.h"
#include "logical/operations.h"
#include "pipeline/pipeline_file.h"
#include "smallpond/error.h"

namespace smallpond {

std::shared_ptr<Node> SessionState::new_node(NodeKind kind, const std::string& base) {
  auto node = std::make_shared<Node>();
  node->kind = kind;
  node->id = next_id++;
  node->name = base + "_" + std::to_string(node->id);
  return node;
}

DataFrame SessionState::sql_node(const std::string& base, const std::string& query,
                                 const std::vector<DataFrame>& inputs) {
  auto node = new_node(NodeKind::SqlEngine, base);
  node->sql = query;
  node->udfs = udfs();
  for (auto& df : inputs) {
    if (df.session_.get() != this)
      throw InvalidInputError(base + ": an input belongs to another session");
    node->inputs.push_back(df.node_);
  }
  return DataFrame(shared_from_this(), node);
}

DataFrame SessionState::operation(const std::string& name, const NodePtr& input,
                                  const Json& params) {
  BuildContext context;
  context.executors = options.executors;
  context.new_node = [this](NodeKind kind, const std::string& role) {
    auto node = new_node(kind, role);
    if (kind == NodeKind::SqlEngine) node->udfs = udfs();  // the session's C++ functions
    return node;
  };
  return DataFrame(shared_from_this(), build_operation(name, input, params, context));
}

JobResult SessionState::run(const std::vector<NodePtr>& targets,
                            const std::vector<std::string>& protected_dirs) {
  std::lock_guard<std::mutex> run_lock(run_mutex_);
  JobResult result = runner.run(targets, protected_dirs);
  std::lock_guard<std::mutex> lock(state_mutex_);
  last_report_ = result.report;
  return result;
}

Json SessionState::udfs() const {
  std::lock_guard<std::mutex> lock(state_mutex_);
  return udfs_;
}

void SessionState::set_udf(const std::string& name, const Json& udf) {
  std::lock_guard<std::mutex> lock(state_mutex_);
  for (auto it = udfs_.begin(); it != udfs_.end(); ++it) {
    if ((*it)["name"] == name) {
      udfs_.erase(it);
      break;
    }
  }
  udfs_.push_back(udf);
}

JobReport SessionState::last_report() const {
  std::lock_guard<std::mutex> lock(state_mutex_);
  return last_report_;
}

void SessionState::shutdown() {
  std::lock_guard<std::mutex> run_lock(run_mutex_);
  runner.shutdown();
}

void serve_if_executor() {
  if (is_executor_process()) run_executor_process();  // checked first: these never use MPI
  if (std::string problem = launch_problem(); !problem.empty()) {
    // Not an exception: the CLI calls this before it can report errors.
    std::fprintf(stderr, "smallpond: error: %s\n", problem.c_str());
    std::exit(2);
  }
  if (mpi_launched()) {
    mpi_initialize();
    if (mpi_rank() > 0) run_mpi_executor_rank();
  }
}

void serve_executor_node(const std::string& driver_address,
                         const std::vector<std::string>& executor_command, double connect_timeout,
                         const ObjectStore* object_store, const TaskObserver* task_observer) {
  run_tcp_executor_node(driver_address, executor_command, connect_timeout, object_store,
                        task_observer);
}

Session init(const Options& options) {
  serve_if_executor();
  return Session(std::make_shared<SessionState>(resolve_options(options)));
}

Session::Session(std::shared_ptr<SessionState> state) : state_(std::move(state)) {}

void Session::interrupt() { state_->runner.interrupt(); }

JobProgress Session::progress() const { return state_->runner.progress(); }

void Session::create_function(const std::string& name, ScalarFunction fn,
                              const std::vector<std::string>& arg_types,
                              const std::string& return_type) {
  check_step_name(name);  // a plain identifier
  if (!fn) throw InvalidInputError("create_function '" + name + "': no function given");
  Json udf = {{"name", name},
              {"args", arg_types},
              {"returns", return_type},
              {"function", locate_code(reinterpret_cast<const void*>(fn))}};
  state_->set_udf(name, udf);
}

void Session::create_function(const std::string& name, ScalarBatchFunction fn, const Row& params,
                              const std::vector<std::string>& arg_types,
                              const std::string& return_type) {
  check_step_name(name);
  if (!fn) throw InvalidInputError("create_function '" + name + "': no function given");
  Json udf = {
      {"name", name},           {"args", arg_types},
      {"returns", return_type}, {"function", locate_code(reinterpret_cast<const void*>(fn))},
      {"batched", true},        {"params", row_to_json(params)}};
  state_->set_udf(name, udf);
}

JobReport Session::run_pipeline(const std::string& path) const {
  Pipeline pipeline = load_pipeline(path, state_->options.executors);
  std::string dir = parent_dir(absolute_path(path));
  return state_->run(pipeline.targets, {dir}).report;
}

std::string Session::explain_pipeline(const std::string& path) const {
  return explain_plan(load_pipeline(path, state_->options.executors).targets, state_->options);
}

const Options& Session::options() const { return state_->options; }
JobReport Session::last_report() const { return state_->last_report(); }
void Session::shutdown() { state_->shutdown(); }

static std::vector<std::string> absolute_patterns(const std::vector<std::string>& paths) {
  if (paths.empty()) throw InvalidInputError("no input paths given");
  std::vector<std::string> out;
  for (auto& p : paths) out.push_back(absolute_path(p));
  return out;
}

DataFrame Session::read_parquet(const std::string& paths, const ParquetOptions& options) const {
  return read_parquet(std::vector<std::string>{paths}, options);
}

DataFrame Session::read_parquet(const std::vector<std::string>& paths,
                                const ParquetOptions& options) const {
  auto node = state_->new_node(NodeKind::DataSource, "read_parquet");
  node->patterns = absolute_patterns(paths);
  node->source_options.format = FileFormat::Parquet;
  node->source_options.columns = options.columns;
  node->source_options.union_by_name = options.union_by_name;
  check_generated_columns(options.generated_columns, "read_parquet");
  node->source_options.generated_columns = options.generated_columns;
  node->recursive = options.recursive;
  return DataFrame(state_, node);
}

DataFrame Session::read_partitioned(const std::string& path, int npartitions,
                                    const std::string& column) const {
  if (npartitions < 1) throw InvalidInputError("read_partitioned: npartitions must be at least 1");
  auto node = state_->new_node(NodeKind::DataSource, "read_partitioned");
  node->patterns = absolute_patterns({path});
  node->source_options.format = FileFormat::Parquet;
  node->recursive = true;
  node->load_partitioned = true;
  node->npartitions = npartitions;
  node->partition_column = column;
  return DataFrame(state_, node);
}

DataFrame Session::read_csv(const std::vector<std::string>& paths,
                            const CsvOptions& options) const {
  auto node = state_->new_node(NodeKind::DataSource, "read_csv");
  node->patterns = absolute_patterns(paths);
  node->source_options.format = FileFormat::Csv;
  node->source_options.schema = options.schema;
  node->source_options.delimiter = options.delimiter;
  node->source_options.header = options.header;
  return DataFrame(state_, node);
}

DataFrame Session::read_json(const std::vector<std::string>& paths,
                             const std::vector<std::pair<std::string, std::string>>& schema) const {
  auto node = state_->new_node(NodeKind::DataSource, "read_json");
  node->patterns = absolute_patterns(paths);
  node->source_options.format = FileFormat::Json;
  node->source_options.schema = schema;
  return DataFrame(state_, node);
}

// A value as JSON that keeps its kind (1 and 1.0 and "1" differ), for content hashing.

DataFrame Session::from_table(const Table& table) const {
  if (table.column_names.empty()) throw InvalidInputError("from_table: the table has no columns");
  std::vector<std::pair<std::string, std::string>> columns;
  for (size_t c = 0; c < table.column_names.size(); c++) {
    std::string type = c < table.column_types.size() ? table.column_types[c] : "";
    if (type.empty()) {
      type = "VARCHAR";
      for (auto& row : table.rows) {
        if (c < row.size() && !row[c].is_null()) {
          type = sql_type_of(row[c]);
          break;
        }
      }
    }
    columns.emplace_back(table.column_names[c], type);
  }
  // The file is named by the content, so the same rows give the same source (and resume).
  Json content = {{"columns", columns}, {"rows", Json::array()}};
  for (auto& row : table.rows) {
    if (row.size() != columns.size())
      throw InvalidInputError("from_table: a row has " + std::to_string(row.size()) +
                              " values for " + std::to_string(columns.size()) + " columns");
    Json values = Json::array();
    for (auto& v : row) values.push_back(value_to_json(v));  // the same text, the same source
    content["rows"].push_back(std::move(values));
  }
  JobDir::prepare(state_->options.job_dir);  // refuses a directory that is not one
  std::string dir = state_->options.job_dir + "/sources";
  std::string path = dir + "/rows-" + stable_hash(content.dump()) + ".parquet";
  if (!path_exists(path)) {
    make_dirs(dir);
    std::string staging = dir + "/.rows-" + unique_suffix() + ".parquet";
    try {
      auto con = state_->runner.local_engine().connect();
      auto sink = con->create_sink(columns);
      for (auto& row : table.rows) sink->append(row);
      sink->write_parquet(staging);
    } catch (...) {
      remove_all(staging);
      throw;
    }
    if (std::rename(staging.c_str(), path.c_str()) != 0) {
      remove_all(staging);
      throw Error("from_table: cannot write '" + path + "'");
    }
  }
  auto node = state_->new_node(NodeKind::DataSource, "from_rows");
  node->patterns = {path};
  node->source_options.format = FileFormat::Parquet;
  return DataFrame(state_, node);
}

DataFrame Session::from_rows(const std::vector<Row>& rows) const {
  if (rows.empty()) throw InvalidInputError("from_rows: no rows (the columns would be unknown)");
  Table table;
  for (auto& [name, type] : infer_columns(rows)) {
    table.column_names.push_back(name);
    table.column_types.push_back(type);
  }
  for (auto& r : rows) {
    if (r.size() != table.column_names.size())
      throw InvalidInputError("from_rows: rows differ in their columns");
    std::vector<Value> values;
    for (auto& name : table.column_names) {
      if (!r.has(name)) throw InvalidInputError("from_rows: a row has no column '" + name + "'");
      values.push_back(r[name]);
    }
    table.rows.push_back(std::move(values));
  }
  return from_table(table);
}

DataFrame Session::partial_sql(const std::string& query,
                               const std::vector<DataFrame>& inputs) const {
  return state_->sql_node("sql", query, inputs);
}

}  // namespace smallpond
