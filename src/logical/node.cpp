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
    case NodeKind::RangePartition:
      return "range_partition";
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

NodeKind node_kind_from_name(const std::string& name) {
  for (int k = 0; k <= static_cast<int>(NodeKind::DataSink); ++k)
    if (name == node_kind_name(static_cast<NodeKind>(k))) return static_cast<NodeKind>(k);
  throw InvalidInputError("unknown node kind '" + name + "'");
}

namespace {

// Field values to and from JSON: nlohmann's conversions, and the data set's own form.
template <class T>
Json encode(const T& value) {
  return Json(value);
}
Json encode(const DataSet& value) { return value.to_json(); }
template <class T>
void decode(const Json& json, T& value) {
  value = json.get<T>();
}
void decode(const Json& json, DataSet& value) { value = DataSet::from_json(json); }
void decode(const Json& json, Json& value) { value = json; }

const Node& defaults() {
  static const Node node;
  return node;
}

}  // namespace

// Both lists are walked by the same macro: a parameter declared in node.h is in the definition
// (or, for a setting, in to_json only) without being named here.
#define SMALLPOND_NODE_ENCODE(type, field, default_value) \
  if (encode(field) != encode(defaults().field)) j[#field] = encode(field);

Json Node::definition() const {
  Json j = Json::object();
  j["kind"] = node_kind_name(kind);
  SMALLPOND_NODE_DEFINITION(SMALLPOND_NODE_ENCODE)
  return j;
}

Json Node::to_json() const {
  Json j = Json::object();
  j["kind"] = node_kind_name(kind);
  j["name"] = name;
  SMALLPOND_NODE_DEFINITION(SMALLPOND_NODE_ENCODE)
  SMALLPOND_NODE_SETTINGS(SMALLPOND_NODE_ENCODE)
  return j;
}
#undef SMALLPOND_NODE_ENCODE

Node Node::from_json(const Json& json) {
  Node node;
  for (auto& [key, value] : json.items()) {
    if (key == "kind") {
      node.kind = node_kind_from_name(value.get<std::string>());
      continue;
    }
    if (key == "name") {
      node.name = value.get<std::string>();
      continue;
    }
#define SMALLPOND_NODE_DECODE(type, field, default_value) \
  if (key == #field) {                                    \
    decode(value, node.field);                            \
    continue;                                             \
  }
    SMALLPOND_NODE_DEFINITION(SMALLPOND_NODE_DECODE)
    SMALLPOND_NODE_SETTINGS(SMALLPOND_NODE_DECODE)
#undef SMALLPOND_NODE_DECODE
    throw InvalidInputError("unknown node field '" + key + "'");
  }
  return node;
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
