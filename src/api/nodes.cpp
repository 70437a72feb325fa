#include "smallpond/nodes.h"

#include "api/session_state.h"
#include "common/code_location.h"
#include "io/filesystem.h"
#include "logical/operations.h"
#include "smallpond/error.h"

namespace smallpond {

// The Node API builds the same logical nodes as DataFrame; this is its way into a frame.
struct NodeFactory {
  static const std::shared_ptr<SessionState>& session(const LogicalNode& n) {
    return n.to_dataframe().session_;
  }
  static const NodePtr& node(const LogicalNode& n) { return n.to_dataframe().node_; }
  static LogicalNode wrap(const std::shared_ptr<SessionState>& s, NodePtr node) {
    return LogicalNode(DataFrame(s, std::move(node)));
  }

  // A new node of `kind` over inputs (at least one, all of one session).
  static std::pair<std::shared_ptr<SessionState>, std::shared_ptr<Node>> over(
      NodeKind kind, const std::string& base, const std::vector<LogicalNode>& inputs) {
    if (inputs.empty()) throw InvalidInputError(base + ": no input given");
    auto s = session(inputs.front());
    auto n = s->new_node(kind, base);
    for (auto& in : inputs) {
      if (session(in) != s) throw InvalidInputError(base + ": an input belongs to another session");
      n->inputs.push_back(node(in));
    }
    return {s, n};
  }

  static Json function(const std::string& base, const void* fn) {
    if (!fn) throw InvalidInputError(base + ": no function given");
    return locate_code(fn);
  }
};

namespace nodes {

namespace {

RepartitionOptions repartition_options(const PartitionOptions& options) {
  RepartitionOptions r;
  r.nested = options.nested;
  r.dimension = options.dimension;
  return r;
}

// A partition node named after its kind ("hash_partition_7"), as progress and reports show it.
LogicalNode partition_with(const LogicalNode& input, int npartitions, RepartitionOptions r,
                           const std::string& base) {
  LogicalNode node(input.to_dataframe().repartition(npartitions, r));
  return node.named(base + "_" + std::to_string(NodeFactory::node(node)->id));
}

}  // namespace

LogicalNode parquet_source(const Session& session, const std::vector<std::string>& paths,
                           const ParquetOptions& options) {
  return LogicalNode(session.read_parquet(paths, options));
}

LogicalNode csv_source(const Session& session, const std::vector<std::string>& paths,
                       const CsvOptions& options) {
  return LogicalNode(session.read_csv(paths, options));
}

LogicalNode json_source(const Session& session, const std::vector<std::string>& paths,
                        const std::vector<std::pair<std::string, std::string>>& schema) {
  return LogicalNode(session.read_json(paths, schema));
}

LogicalNode table_source(const Session& session, const Table& table) {
  return LogicalNode(session.from_table(table));
}

LogicalNode load_partitioned(const Session& session, const std::string& path, int npartitions,
                             const std::string& column) {
  return LogicalNode(session.read_partitioned(path, npartitions, column));
}

LogicalNode evenly_distributed_partition(const LogicalNode& input, int npartitions, bool by_rows,
                                         const PartitionOptions& options) {
  RepartitionOptions r = repartition_options(options);
  r.by_rows = by_rows;
  return partition_with(input, npartitions, r, "even_partition");
}

LogicalNode hash_partition(const LogicalNode& input, int npartitions,
                           const std::vector<std::string>& columns,
                           const PartitionOptions& options) {
  if (columns.empty()) throw InvalidInputError("hash_partition: no hash columns given");
  RepartitionOptions r = repartition_options(options);
  r.hash_by = columns;
  return partition_with(input, npartitions, r, "hash_partition");
}

LogicalNode expression_partition(const LogicalNode& input, int npartitions,
                                 const std::string& expression, const PartitionOptions& options) {
  if (expression.empty()) throw InvalidInputError("expression_partition: no expression given");
  RepartitionOptions r = repartition_options(options);
  r.by = expression;
  return partition_with(input, npartitions, r, "expression_partition");
}

LogicalNode user_defined_partition(const LogicalNode& input, int npartitions, PartitionFunction fn,
                                   const PartitionOptions& options) {
  if (npartitions < 1)
    throw InvalidInputError("user_defined_partition: npartitions must be at least 1");
  check_step_name(options.dimension);
  auto [s, n] = NodeFactory::over(NodeKind::HashPartition, "user_partition", {input});
  n->npartitions = npartitions;
  n->function_kind = "partition";
  n->function = NodeFactory::function("user_defined_partition", reinterpret_cast<const void*>(fn));
  n->nested = options.nested;
  n->dimension = options.dimension;
  return NodeFactory::wrap(s, n);
}

LogicalNode consolidate(const LogicalNode& input, const std::string& dimension) {
  return LogicalNode(input.to_dataframe().consolidate(dimension));
}

LogicalNode projection(const LogicalNode& input, const ProjectionOptions& options) {
  check_generated_columns(options.generated_columns, "projection");
  auto [s, n] = NodeFactory::over(NodeKind::Projection, "projection", {input});
  n->columns = options.columns;
  n->generated_columns = options.generated_columns;
  n->union_by_name = options.union_by_name;
  return NodeFactory::wrap(s, n);
}

LogicalNode limit(const LogicalNode& input, int64_t n) {
  return LogicalNode(input.to_dataframe().limit(n));
}

LogicalNode union_all(const std::vector<LogicalNode>& inputs) {
  if (inputs.empty()) throw InvalidInputError("union_all: no input given");
  std::vector<DataFrame> rest;
  for (size_t i = 1; i < inputs.size(); i++) rest.push_back(inputs[i].to_dataframe());
  return LogicalNode(inputs.front().to_dataframe().union_all(rest));
}

LogicalNode sql_engine(const std::vector<LogicalNode>& inputs, const std::string& query) {
  auto [s, n] = NodeFactory::over(NodeKind::SqlEngine, "sql", inputs);
  n->sql = query;
  n->udfs = s->udfs();
  return NodeFactory::wrap(s, n);
}

LogicalNode table_function(const std::vector<LogicalNode>& inputs, TableFunction fn) {
  auto [s, n] = NodeFactory::over(NodeKind::Compute, "table_function", inputs);
  n->function_kind = "table";
  n->function = NodeFactory::function("table_function", reinterpret_cast<const void*>(fn));
  return NodeFactory::wrap(s, n);
}

LogicalNode batch_stream(const LogicalNode& input, BatchFunction fn, const StreamOptions& options) {
  if (options.batch_size < 1)
    throw InvalidInputError("batch_stream: batch_size must be at least 1");
  if (options.checkpoint_seconds < 0)
    throw InvalidInputError("batch_stream: checkpoint_seconds must not be negative");
  auto [s, n] = NodeFactory::over(NodeKind::RowFunction, "stream", {input});
  n->function_kind = "stream";
  n->function = NodeFactory::function("batch_stream", reinterpret_cast<const void*>(fn));
  n->batch_size = options.batch_size;
  n->checkpoint_seconds = options.checkpoint_seconds;
  return NodeFactory::wrap(s, n);
}

LogicalNode script(const std::vector<LogicalNode>& inputs, ScriptFunction fn) {
  auto [s, n] = NodeFactory::over(NodeKind::Compute, "script", inputs);
  n->function_kind = "script";
  n->function = NodeFactory::function("script", reinterpret_cast<const void*>(fn));
  return NodeFactory::wrap(s, n);
}

LogicalNode data_sink(const LogicalNode& input, const std::string& path, SinkType type) {
  if (path.empty()) throw InvalidInputError("data_sink: no output path given");
  auto [s, n] = NodeFactory::over(NodeKind::DataSink, "data_sink", {input});
  n->path = absolute_path(path);
  n->sink_type = sink_type_name(type);
  return NodeFactory::wrap(s, n);
}

JobReport run(const std::vector<LogicalNode>& targets) {
  if (targets.empty()) throw InvalidInputError("run: no target given");
  auto s = NodeFactory::session(targets.front());
  std::vector<NodePtr> nodes;
  for (auto& t : targets) {
    if (NodeFactory::session(t) != s)
      throw InvalidInputError("run: the targets belong to different sessions");
    nodes.push_back(NodeFactory::node(t));
  }
  return s->run(nodes).report;
}

}  // namespace nodes
}  // namespace smallpond
