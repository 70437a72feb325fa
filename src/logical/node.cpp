#include "logical/node.h"

#include <cctype>
#include <functional>
#include <set>

#include "smallpond/error.h"

namespace smallpond {

const char* node_kind_name(NodeKind kind) {
  switch (kind) {
    case NodeKind::DataSource:
      return "data_source";
    case NodeKind::EvenPartition:
      return "even_partition";
    case NodeKind::HashPartition:
      return "hash_partition";
    case NodeKind::SqlEngine:
      return "sql";
    case NodeKind::RowFunction:
      return "row_function";
    case NodeKind::Compute:
      return "compute";
    case NodeKind::Projection:
      return "projection";
    case NodeKind::Limit:
      return "limit";
    case NodeKind::Union:
      return "union";
    case NodeKind::Consolidate:
      return "consolidate";
    case NodeKind::DataSink:
      return "data_sink";
  }
  return "?";
}

Json Node::definition() const {
  Json j;
  j["kind"] = node_kind_name(kind);
  switch (kind) {
    case NodeKind::DataSource:
      j["patterns"] = patterns;
      j["options"] = source_options.to_json();
      if (recursive) j["recursive"] = true;
      if (load_partitioned)
        j["load_partitioned"] = {
            {"n", npartitions}, {"column", partition_column}, {"dimension", dimension}};
      break;
    case NodeKind::EvenPartition:
      j["npartitions"] = npartitions;
      j["by_rows"] = by_rows;
      if (nested) j["nested"] = true;
      j["dimension"] = dimension;
      break;
    case NodeKind::HashPartition:
      j["npartitions"] = npartitions;
      j["hash_columns"] = hash_columns;
      if (!partition_by.empty()) j["by"] = partition_by;
      if (!function.is_null()) j["function"] = function;
      if (nested) j["nested"] = true;
      j["dimension"] = dimension;
      break;
    case NodeKind::Consolidate:
      j["dimension"] = dimension;
      break;
    case NodeKind::RowFunction:
    case NodeKind::Compute:
      j["function_kind"] = function_kind;
      j["function"] = function;
      if (!function_params.is_null()) j["function_params"] = function_params;
      if (batch_size) j["batch_size"] = batch_size;
      // checkpoint_seconds only decides when progress is saved, not what the output is.
      break;
    case NodeKind::Projection:
      j["columns"] = columns;
      if (!generated_columns.empty()) j["generated_columns"] = generated_columns;
      if (union_by_name) j["union_by_name"] = true;
      break;
    case NodeKind::Limit:
      j["limit"] = limit;
      break;
    case NodeKind::Union:
      break;
    case NodeKind::SqlEngine:
      j["sql"] = sql;
      if (!udfs.empty()) j["udfs"] = udfs;
      break;
    case NodeKind::DataSink:
      j["path"] = path;
      j["type"] = sink_type;
      break;
  }
  if (!recompute_nonce.empty()) j["recompute"] = recompute_nonce;
  return j;
}

void check_step_name(const std::string& name) {
  bool ok = !name.empty();
  for (char c : name) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
  if (!ok)
    throw InvalidInputError("invalid step name '" + name + "': use letters, digits and '_' only");
}

std::vector<NodePtr> topological_order(const std::vector<NodePtr>& targets) {
  std::vector<NodePtr> order;
  std::set<const Node*> seen;
  std::function<void(const NodePtr&)> visit = [&](const NodePtr& n) {
    if (!seen.insert(n.get()).second) return;
    for (auto& in : n->inputs) visit(in);
    order.push_back(n);
  };
  for (auto& t : targets) visit(t);
  return order;
}

}  // namespace smallpond
