#include "exec/duckdb_task_runner.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include "common/code_location.h"
#include "common/strings.h"
#include "common/system.h"
#include "engine/row_json.h"
#include "engine/sql_template.h"
#include "exec/function_tasks.h"
#include "exec/input_check.h"
#include "exec/parquet_output.h"
#include "exec/range_sample_input.h"
#include "exec/task_manifest.h"
#include "io/durable.h"
#include "io/filesystem.h"
#include "io/job_dir.h"

namespace smallpond {

namespace {

const char* const kBucketColumn = "__smallpond_bucket";
const char* const kRangeFunction = "__smallpond_range";  // the task's boundaries (RangeProduce)
// Partitions into more buckets write Parquet: a chunk file writer buffers rows per bucket.
constexpr int kMaxChunkBuckets = 4096;
// Parquet buckets keep a file open each; past this many, DuckDB's PARTITION_BY, which bounds its
// open files (partitioned_write_max_open_files, 100 by default), writes them.
constexpr int kMaxParquetBuckets = 100;

// Task outputs whose disk writes start when the task ends are at least this big; a smaller
// file's flush at publish costs little (sync_file_range costs about 25 us a file here).
constexpr int64_t kWritebackMinBytes = 1 << 20;

// "in step X" details appended to an engine message.
std::string describe_failure(const TaskAssignment& task, const std::string& message) {
  std::string out = task.label + ": " + message;
  if (task.kind == TaskKind::Sql) out += "\n  query: " + SqlParams::from_json(task.params).sql;
  if (task.kind == TaskKind::HashProduce) {
    // The optimizer may have moved (part of) a query of the steps around this one into its
    // producers: name it, and the way to run every query as written.
    std::string moved = HashProduceParams::from_json(task.params).pre_sql;
    if (!moved.empty())
      out +=
          "\n  query run before the shuffle (moved here by the optimizer from the step "
          "before or after it; --no-optimize or Options::optimize = false run each step's "
          "query as written): " +
          moved;
  }
  return out;
}

// A partition expression (`by`) must give a number, the partition. Anything else (a column's
// text, a date) is most likely a column meant for hash_by, and would otherwise fail inside our
// COPY with DuckDB's words about a CASE the user never wrote.
void check_partition_number(EngineConnection& con, const std::string& by, const std::string& rows) {
  Table t = con.query("DESCRIBE SELECT (" + by + ") AS p FROM (" + rows + ") AS " + kRangeRow);
  const std::string type = t.rows.at(0).at(1).as_string();
  static const std::set<std::string> kNumbers = {"TINYINT", "SMALLINT", "INTEGER",   "BIGINT",
                                                 "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                                                 "UBIGINT", "UHUGEINT", "FLOAT",     "DOUBLE"};
  if (kNumbers.count(type) || type.rfind("DECIMAL", 0) == 0) return;
  throw InvalidInputError("the partition expression '" + by + "' gives a " + type +
                          ", not a partition number: `by` takes an expression whose value is "
                          "the partition, 0 to n-1 (to put rows with equal values of a column "
                          "in one partition, hash them: hash_by)");
}

}  // namespace

TaskOutcome DuckDBTaskRunner::run(const TaskAssignment& task) {
  double start = monotonic_seconds();
  TaskOutcome outcome;
  outcome.job = task.job;
  outcome.task_id = task.task_id;
  outcome.attempt = task.attempt;
  // The task's input names ({0} -> __input_0) mean nothing once it ends, and the footers of
  // files read long ago are dropped.
  struct ForgetInputs {
    DuckDBTaskRunner& runner;
    const TaskAssignment& task;
    ~ForgetInputs() {
      if (!runner.engine_) return;
      runner.engine_->set_input_relations({});
      std::vector<std::string> files;
      for (auto& input : task.inputs)
        for (auto& f : input.files)
          if (!f.in_memory()) files.push_back(f.path);
      try {
        runner.engine_->forget_old_footers(files);
      } catch (const std::exception&) {  // only memory is at stake: the task's result stands
      }
    }
  } forget_inputs{*this, task};
  try {
    memory_output_bytes_ = task.kind == TaskKind::Sql ? task.memory_output_bytes : 0;
    // An output that may stay in memory touches the job directory only if it turns out too big.
    if (memory_output_bytes_ == 0) prepare_staging(task);
    check_inputs_unchanged(task);
    import_memory_inputs(task);
    kept_in_memory_ = false;
    EngineLimits limits = task.limits;
    if (!limits.temp_directory.empty())  // one per executor: DuckDB cannot switch it after a spill
      limits.temp_directory = JobDir::executor_tmp_dir(limits.temp_directory);
    if (limits.sandbox) confine(task, limits);
    auto con = engine().connect(limits);
    std::vector<DataSet> outputs;  // paths under staging_dir while writing
    int64_t rows = 0;
    switch (task.kind) {
#define SMALLPOND_EXECUTOR_TASK(kind, name, Params)                      \
  case TaskKind::kind:                                                   \
    rows = execute(*con, task, Params::from_json(task.params), outputs); \
    break;
      SMALLPOND_EXECUTOR_TASK_KINDS(SMALLPOND_EXECUTOR_TASK)
#undef SMALLPOND_EXECUTOR_TASK
      default:
        throw InternalError(std::string("a ") + task_kind_name(task.kind) +
                            " task does not run in an executor");
    }
    con.reset();
    check_inputs_unchanged(task);  // a file replaced while it was read would mix two versions
    if (kept_in_memory_) {
      // Nothing to publish: the output lives in this executor until the scheduler drops it.
      outcome.ok = true;
      outcome.outputs = outputs;
      outcome.rows = rows;
      outcome.memory_bytes = memory_output_bytes_;
      outcome.seconds = monotonic_seconds() - start;
      return outcome;
    }

    TaskManifest manifest;
    manifest.key = task.key;
    manifest.label = task.label;
    manifest.rows = rows;
    manifest.seconds = monotonic_seconds() - start;
    for (auto& d : outputs)
      manifest.outputs.push_back(d.relative_to(task.staging_dir).resolved_against(task.final_dir));
    write_task_manifest(task.staging_dir, task.final_dir, manifest);
    if (!task.intermediate && !task.flush_output) {
      // A sink flushes what it publishes when the job ends; the disk writes started now run
      // while other tasks compute, and that flush then waits for little (bench/README). An
      // output the program reads instead is written a little sooner than the kernel would.
      for (auto& d : outputs)
        for (auto& f : d.files)
          if (!f.in_memory()) start_writeback(f.path, kWritebackMinBytes);
    }
    manifest = publish_task_output(task.staging_dir, task.final_dir, parent_dir(task.staging_dir),
                                   manifest, task.flush_output);
    outcome.ok = true;
    outcome.outputs = manifest.outputs;
    outcome.rows = manifest.rows;
  } catch (const Error& e) {
    outcome.error = describe_failure(task, e.what());
    outcome.code = e.code();
  } catch (const std::exception& e) {
    outcome.error = describe_failure(task, e.what());
    outcome.code = ErrorCode::Internal;
  }
  if (!outcome.ok) remove_all_if_possible(task.staging_dir);
  outcome.seconds = monotonic_seconds() - start;
  return outcome;
}

// The sandbox of a task: it reads its input files and writes its staging (and checkpoint)
// directory, nothing else.
void DuckDBTaskRunner::confine(const TaskAssignment& task, EngineLimits& limits) {
  for (auto& input : task.inputs) {
    for (auto& f : input.files)
      if (!f.in_memory()) limits.readable.push_back(f.path);
    if (!input.schema_file.empty()) limits.readable.push_back(input.schema_file);
  }
  limits.writable.push_back(task.staging_dir);
  if (!task.checkpoint_dir.empty()) limits.writable.push_back(task.checkpoint_dir);
}

void DuckDBTaskRunner::prepare_staging(const TaskAssignment& task) {
  remove_all(task.staging_dir);
  make_dirs(task.staging_dir);
}

DuckDBTaskRunner::DuckDBTaskRunner() {
  try {
    engine();
  } catch (const std::exception&) {
    // Not here: the first task tries again, and its failure says why.
  }
}

Engine& DuckDBTaskRunner::engine() {
  if (!engine_) engine_ = std::make_unique<Engine>(/*preserve_order=*/false);
  return *engine_;
}

// In-memory inputs produced elsewhere arrive as bytes; they become local in-memory tables of the
// same name (kept for later tasks until dropped).
void DuckDBTaskRunner::import_memory_inputs(const TaskAssignment& task) {
  for (auto& input : task.inputs) {
    for (auto& table : input.memory_tables()) {
      if (engine().has_memory_table(table)) continue;
      if (!task.attachments.contains(table))
        throw Error("in-memory input " + table +
                    " is neither here nor attached (executor restarted?)");
      const Json& attached = task.attachments[table];
      if (is_reference_attachment(attached))  // a relay with an object store resolves these
        throw Error("in-memory input " + table +
                    " came as an object store reference, but this executor has no object store");
      engine().import_memory_table(table, binary_bytes(attached));
    }
  }
}

std::string DuckDBTaskRunner::export_table(const std::string& table) {
  return engine().export_memory_table(table);
}

void DuckDBTaskRunner::drop_tables(const std::vector<std::string>& tables) {
  for (auto& t : tables) engine().drop_memory_table(t);
}

void DuckDBTaskRunner::register_functions(const Json& udfs) {
  for (auto& udf : udfs) {
    std::string name = udf.at("name");
    auto it = functions_.find(name);
    if (it != functions_.end() && it->second == udf) continue;  // already there
    const void* code = resolve_code(udf.at("function"));
    auto args = udf.at("args").get<std::vector<std::string>>();
    if (udf.value("batched", false))
      engine().register_scalar_batch_function(name, args, udf.at("returns"),
                                              reinterpret_cast<Engine::ScalarBatchFn>(code),
                                              row_from_json(udf.at("params")));
    else
      engine().register_scalar_function(name, args, udf.at("returns"),
                                        reinterpret_cast<Engine::ScalarFn>(code));
    functions_[name] = udf;
  }
}

int64_t DuckDBTaskRunner::execute(EngineConnection& con, const TaskAssignment& task,
                                  const SqlParams& params, std::vector<DataSet>& outputs) {
  register_functions(params.udfs);
  std::vector<std::string> views;
  std::map<std::string, std::string> relations;
  for (size_t i = 0; i < task.inputs.size(); i++) {
    std::string view = "__input_" + std::to_string(i);
    relations[view] = task.inputs[i].sql();
    views.push_back(view);
  }
  engine().set_input_relations(std::move(relations));  // cleared when the task ends (run)
  std::map<std::string, std::string> names;
  for (auto& [name, value] : params.names.items()) names[name] = value.dump();
  std::string sql = expand_sql_template(params.sql, views, names);
  auto statements = con.split_statements(sql);
  if (statements.empty()) throw InvalidInputError("the query is empty");
  if (task.limits.sandbox) {
    // Outputs are written by smallpond, into the staging directory; a step that writes files,
    // attaches databases or loads extensions itself is refused (see docs: the sandbox).
    static const std::set<std::string> kRefused = {"COPY",   "COPY_DATABASE", "EXPORT",
                                                   "ATTACH", "DETACH",        "LOAD"};
    for (auto& type : con.statement_types(sql))
      if (kRefused.count(type))
        throw InvalidInputError("a " + type +
                                " statement is not allowed in a step's SQL while the sandbox "
                                "is on (smallpond writes the step's output; --no-sandbox or "
                                "Options::sandbox = false lifts this)");
  }
  for (size_t i = 0; i + 1 < statements.size(); i++) con.execute(statements[i]);
  std::string file = task.staging_dir + "/part-0.parquet";
  if (memory_output_bytes_ > 0 && (!params.udfs.empty() || con.is_volatile(sql))) {
    // An in-memory output is recomputed if its executor dies; a query that may give another
    // result then (random(), a sample, a C++ function) writes a file, which stays.
    memory_output_bytes_ = 0;
    prepare_staging(task);
  }
  if (memory_output_bytes_ > 0) {
    // Small outputs stay here as an in-memory table; bigger ones are written as usual.
    std::string table = "__mem_" + task.key.substr(0, 16) + "_" + std::to_string(task.job) + "_" +
                        std::to_string(task.attempt);
    int64_t rows = 0, bytes = 0;
    auto overflow = [&] {
      prepare_staging(task);
      return file;
    };
    if (con.query_to_memory(table, statements.back(), memory_output_bytes_, overflow, &rows,
                            &bytes)) {
      kept_in_memory_ = true;
      memory_output_bytes_ = bytes;
      outputs.push_back(DataSet::in_memory_table(table));
      return rows;
    }
    outputs.push_back(DataSet::parquet_files({file}, file));
    return rows;
  }
  int64_t rows = con.query_int("COPY (" + statements.back() + ") TO " + sql_string(file) + " " +
                               parquet_copy_options(task.intermediate));
  outputs.push_back(DataSet::parquet_files({file}, file));
  return rows;
}

int64_t DuckDBTaskRunner::execute(EngineConnection& con, const TaskAssignment& task,
                                  const HashProduceParams& params, std::vector<DataSet>& outputs) {
  const int n = params.n;
  std::vector<std::string> cols;
  for (auto& c : params.columns) cols.push_back(sql_identifier(c));
  const DataSet& input = task.inputs.at(0);
  std::string bucket = "(hash(" + join(cols, ", ") + ") % " + std::to_string(n) + ")::INTEGER";
  if (!params.by.empty()) {
    // A user expression: its value is the partition index, which must be in range. It is
    // pasted into our COPY, so it must be one expression and nothing else (no statement of its
    // own after a closing parenthesis).
    const std::string& by = params.by;
    std::vector<std::string> types;
    try {
      types = con.statement_types("SELECT (" + by + ")");
    } catch (const EngineError&) {
      types.clear();
    }
    if (types != std::vector<std::string>{"SELECT"} ||
        con.split_statements("SELECT (" + by + ")") !=
            std::vector<std::string>{"SELECT (" + by + ")"})
      throw InvalidInputError("the partition expression '" + by + "' is not one SQL expression");
    std::string expr = "(" + by + ")";
    std::string top = std::to_string(n - 1);
    bucket = "CASE WHEN " + expr + " BETWEEN 0 AND " + top + " THEN " + expr +
             "::INTEGER ELSE error('partition key ' || coalesce(" + expr +
             "::VARCHAR, 'NULL') || ' is out of range 0-" + top + "') END";
  }
  // What is shuffled: the input's rows, or the partial aggregate of them (a combiner).
  std::string rows = input.sql();
  if (!params.keep.empty()) {
    std::vector<std::string> kept;
    for (auto& c : params.keep) kept.push_back(sql_identifier(c));
    rows = "SELECT " + join(kept, ", ") + " FROM (" + rows + ")";
  }
  // pre_sql is template text (a step's query folded in keeps its {{ }} escapes).
  if (!params.pre_sql.empty()) rows = expand_sql_template(params.pre_sql, {"(" + rows + ")"});
  if (!params.by.empty()) check_partition_number(con, params.by, rows);
  return write_buckets(con, task, rows, !input.empty(), bucket, n, outputs);
}

int64_t DuckDBTaskRunner::execute(EngineConnection& con, const TaskAssignment& task,
                                  const RangeSampleParams& params, std::vector<DataSet>& outputs) {
  const DataSet& input = task.inputs.at(0);
  std::string file = task.staging_dir + "/part-0.parquet";
  RangeSampleInput rows{"SELECT NULL::BLOB AS key WHERE false", -1};
  if (!input.empty()) {
    rows = range_sample_input(con, input, params.samples);
    rows.sql = "SELECT " + params.key + " AS key FROM (" + rows.sql + ") AS " + kRangeRow;
  }
  int64_t kept =
      con.write_range_sample(rows.sql, params.samples, static_cast<uint64_t>(params.salt),
                             kRangeWeightScale, rows.input_rows, file);
  outputs.push_back(DataSet::parquet_files({file}, file));
  return kept;
}

int64_t DuckDBTaskRunner::execute(EngineConnection& con, const TaskAssignment& task,
                                  const RangeProduceParams& params, std::vector<DataSet>& outputs) {
  const DataSet& input = task.inputs.at(0);
  const DataSet& bounds = task.inputs.at(1);
  std::vector<Engine::RangeBoundary> boundaries;
  if (!bounds.empty()) {
    // As hex and text: a BLOB's bytes and a UBIGINT come back exactly.
    Table t = con.query("SELECT hex(key), tie::VARCHAR FROM (" + bounds.sql() + ")");
    for (auto& row : t.rows)
      boundaries.push_back({from_hex(row.at(0).as_string()), std::stoull(row.at(1).as_string())});
  }
  engine().register_range_function(kRangeFunction, std::move(boundaries));
  std::string bucket = std::string(kRangeFunction) + "(" + params.key + ", *COLUMNS(*))";
  return write_buckets(con, task, input.sql(), !input.empty(), bucket, params.n, outputs);
}

// The rows of `rows` (a query) into n buckets by `bucket` (an expression over them, which may
// name the row kRangeRow): one data set per bucket, files under staging_dir/buckets. Without
// input files, only their columns. Buckets that only later tasks read are chunk files; others
// are Parquet, written by engine/parquet_buckets for up to kMaxParquetBuckets buckets.
int64_t DuckDBTaskRunner::write_buckets(EngineConnection& con, const TaskAssignment& task,
                                        const std::string& rows, bool any_input,
                                        const std::string& bucket, int n,
                                        std::vector<DataSet>& outputs) {
  std::string dir = task.staging_dir + "/buckets";
  const std::string bucketed =
      "SELECT *, " + bucket + " AS " + kBucketColumn + " FROM (" + rows + ") AS " + kRangeRow;
  if (n <= kMaxParquetBuckets || (task.intermediate && n <= kMaxChunkBuckets)) {
    make_dirs(dir);
    BucketFiles written = task.intermediate ? con.write_chunk_buckets(bucketed, n, dir)
                                            : con.write_parquet_buckets(
                                                  bucketed, n, dir, parquet_write_options(false));
    for (auto& file : written.files) {
      std::vector<std::string> files;
      if (!file.empty()) files.push_back(file);
      outputs.push_back(task.intermediate ? DataSet::chunk_files(files, written.schema_file)
                                          : DataSet::parquet_files(files, written.schema_file));
    }
    return written.rows;
  }
  // PARTITION_BY finds its column by name: one that none of the rows' columns has (a user's
  // column may be called __smallpond_bucket too).
  std::string column = kBucketColumn;
  std::set<std::string> taken;
  for (auto& c : con.query("SELECT * FROM (" + rows + ") LIMIT 0").column_names)
    taken.insert(to_lower(c));
  while (taken.count(to_lower(column))) column += "_";
  int64_t written = 0;
  if (any_input) {
    std::string partitioned =
        "SELECT *, " + bucket + " AS " + column + " FROM (" + rows + ") AS " + kRangeRow;
    written =
        con.query_int("COPY (" + partitioned + ") TO " + sql_string(dir) + " " +
                      parquet_copy_options(task.intermediate, "PARTITION_BY (" + column + ")"));
  }
  // Files land in buckets/<column>=<k>/...; group them by k.
  std::map<int, std::vector<std::string>> buckets;
  std::string prefix = column + "=";
  if (path_exists(dir)) {
    for (auto& rel : list_files_recursive(dir)) {
      if (rel.compare(0, prefix.size(), prefix) != 0) continue;
      int k = std::stoi(rel.substr(prefix.size()));
      if (k < 0 || k >= n) throw InternalError("bucket " + std::to_string(k) + " out of range");
      buckets[k].push_back(dir + "/" + rel);
    }
  }
  std::string schema_file;
  if (!buckets.empty()) {
    schema_file = buckets.begin()->second.front();
  } else {
    // No rows: keep a schema-only file so consumers know the columns.
    schema_file = task.staging_dir + "/schema.parquet";
    con.query_int("COPY (SELECT * FROM (" + rows + ") LIMIT 0) TO " + sql_string(schema_file) +
                  " (FORMAT parquet)");
  }
  for (int k = 0; k < n; k++) outputs.push_back(DataSet::parquet_files(buckets[k], schema_file));
  return written;
}

int64_t DuckDBTaskRunner::execute(EngineConnection& con, const TaskAssignment& task,
                                  const FunctionParams& params, std::vector<DataSet>& outputs) {
  const std::string& kind = params.function_kind;
  FunctionTask t{task, params, con, outputs};
  if (kind == "partition") return run_partition_function(t);
  if (kind == "table") return run_table_function(t);
  if (kind == "script") return run_script(t);
  if (kind == "stream") return run_stream(t);
  return run_row_function(t);
}

}  // namespace smallpond
