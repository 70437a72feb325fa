#include "logical/operations.h"

#include <algorithm>
#include <map>

#include "common/strings.h"
#include "common/suggest.h"
#include "engine/sql_template.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

std::string quoted_identifiers(const std::vector<std::string>& columns) {
  std::vector<std::string> out;
  for (auto& c : columns) out.push_back(sql_identifier(c));
  return join(out, ", ");
}

// One SQL step over the input: `sql` with {0} for it.
NodePtr sql_step(const NodePtr& input, const std::string& role, const std::string& sql,
                 const BuildContext& context) {
  auto node = context.new_node(NodeKind::SqlEngine, role);
  node->sql = sql;
  node->inputs = {input};
  return node;
}

const OperationSpec& registry_entry(const std::string& name);

std::map<std::string, OperationSpec> make_registry() {
  std::vector<OperationSpec> ops;
  ops.push_back({"filter",
                 "rows for which a SQL condition holds",
                 {{"where", ParamType::String, true, "a SQL condition"}},
                 [](const NodePtr& in, const Json& p, const BuildContext& c) {
                   return sql_step(
                       in, "filter",
                       "SELECT * FROM {0} WHERE (" + p["where"].get<std::string>() + ")", c);
                 }});
  ops.push_back({"map",
                 "a SQL select-list over each row",
                 {{"select", ParamType::String, true, "SQL expressions, e.g. \"a + b AS c, d\""}},
                 [](const NodePtr& in, const Json& p, const BuildContext& c) {
                   return sql_step(in, "map",
                                   "SELECT " + p["select"].get<std::string>() + " FROM {0}", c);
                 }});
  ops.push_back({"partial_sort",
                 "each partition sorted",
                 {{"by", ParamType::String, true, "a SQL ORDER BY list"}},
                 [](const NodePtr& in, const Json& p, const BuildContext& c) {
                   return sql_step(in, "partial_sort",
                                   "SELECT * FROM {0} ORDER BY " + p["by"].get<std::string>(), c);
                 }});
  // A global sort: rows range-partitioned by the order (boundaries from a sample), then each
  // range sorted; partition i comes before partition i + 1.
  ops.push_back({"sort",
                 "all rows sorted: npartitions ranges of the order, each sorted",
                 {{"by", ParamType::String, true, "a SQL ORDER BY list"},
                  {"npartitions", ParamType::Integer, false,
                   "partitions of the result (default: one per executor)"}},
                 [](const NodePtr& in, const Json& p, const BuildContext& c) {
                   int64_t n = p.value("npartitions", int64_t(0));
                   if (n < 0) throw InvalidInputError("sort: npartitions must not be negative");
                   if (n == 0) n = c.executors;
                   std::string by = p["by"];
                   if (trim(by).empty()) throw InvalidInputError("sort: 'by' is empty");
                   auto ranges = c.new_node(NodeKind::RangePartition, "sort_ranges");
                   ranges->npartitions = static_cast<int>(n);
                   ranges->order_by = by;
                   ranges->inputs = {in};
                   return sql_step(ranges, "sort",
                                   "SELECT * FROM {0} ORDER BY " + escape_sql_template(by), c);
                 }});
  ops.push_back({"limit",
                 "the first n rows of the whole input, as one partition",
                 {{"n", ParamType::Integer, true, "rows"}},
                 [](const NodePtr& in, const Json& p, const BuildContext& c) {
                   int64_t n = p["n"];
                   if (n < 0) throw InvalidInputError("limit: n must not be negative");
                   auto node = c.new_node(NodeKind::Limit, "limit");
                   node->limit = n;
                   node->inputs = {in};
                   return NodePtr(node);
                 }});
  // Rows equal on the columns (all columns when none are named) kept once: rows are hash
  // partitioned by those columns, so that equal keys meet, and each partition keeps, of each
  // key, its first row in the order of all columns (the same row whatever the partitioning).
  ops.push_back({"drop_duplicates",
                 "rows equal on the given columns (default: all) kept once",
                 {{"columns", ParamType::Strings, false, "the key columns; none: all columns"},
                  {"npartitions", ParamType::Integer, false,
                   "partitions of the result (default: one per executor)"}},
                 [](const NodePtr& in, const Json& p, const BuildContext& c) {
                   auto columns = p.value("columns", std::vector<std::string>{});
                   int64_t n = p.value("npartitions", int64_t(0));
                   if (n < 0)
                     throw InvalidInputError("drop_duplicates: npartitions must not be negative");
                   if (n == 0) n = c.executors;
                   auto shuffle = c.new_node(NodeKind::HashPartition, "drop_duplicates_shuffle");
                   shuffle->npartitions = static_cast<int>(n);
                   shuffle->inputs = {in};
                   std::string sql;
                   if (columns.empty()) {
                     shuffle->partition_by = "hash(*COLUMNS(*)) % " + std::to_string(n);
                     sql = "SELECT DISTINCT * FROM {0}";
                   } else {
                     shuffle->hash_columns = columns;
                     sql = "SELECT DISTINCT ON (" + quoted_identifiers(columns) +
                           ") * FROM {0} ORDER BY ALL";
                   }
                   return sql_step(shuffle, "drop_duplicates", sql, c);
                 }});
  ops.push_back(
      {"repartition",
       "rows redistributed into npartitions partitions",
       {{"npartitions", ParamType::Integer, true, "partitions"},
        {"hash_by", ParamType::Strings, false, "key columns: equal keys share a partition"},
        {"by", ParamType::String, false, "a SQL expression giving each row's partition"},
        {"by_rows", ParamType::Boolean, false, "split rows evenly instead of files"},
        {"random", ParamType::Boolean, false, "spread rows at random"},
        {"nested", ParamType::Boolean, false, "partition each partition on its own"},
        {"dimension", ParamType::String, false, "the name of the partition dimension"}},
       [](const NodePtr& in, const Json& p, const BuildContext& c) {
         int64_t n = p["npartitions"];
         if (n < 1)
           throw InvalidInputError("repartition: npartitions must be at least 1, not " +
                                   std::to_string(n));
         auto hash_by = p.value("hash_by", std::vector<std::string>{});
         std::string by = p.value("by", "");
         bool by_rows = p.value("by_rows", false), random = p.value("random", false);
         if (!hash_by.empty() + !by.empty() + by_rows + random > 1)
           throw InvalidInputError("repartition: choose one of hash_by, by, by_rows and random");
         if (random) by = "floor(random() * " + std::to_string(n) + ")";
         bool hashed = !hash_by.empty() || !by.empty();
         auto node =
             c.new_node(hashed ? NodeKind::HashPartition : NodeKind::EvenPartition, "repartition");
         node->npartitions = static_cast<int>(n);
         node->hash_columns = hash_by;
         node->partition_by = by;
         node->by_rows = by_rows;
         node->nested = p.value("nested", false);
         if (p.contains("dimension")) {
           node->dimension = p["dimension"];
           check_step_name(node->dimension);  // an identifier: it names a placeholder
         }
         node->inputs = {in};
         return NodePtr(node);
       }});
  ops.push_back(
      {"random_shuffle",
       "rows in random order, spread at random over npartitions partitions",
       {{"npartitions", ParamType::Integer, false, "partitions (default: one per executor)"}},
       [](const NodePtr& in, const Json& p, const BuildContext& c) {
         int64_t n = p.value("npartitions", int64_t(0));
         if (n < 0) throw InvalidInputError("random_shuffle: npartitions must not be negative");
         if (n == 0) n = c.executors;
         NodePtr spread =
             registry_entry("repartition").build(in, {{"npartitions", n}, {"random", true}}, c);
         return sql_step(spread, "random_shuffle", "SELECT * FROM {0} ORDER BY random()", c);
       }});
  std::map<std::string, OperationSpec> registry;
  for (auto& op : ops) registry[op.name] = op;
  return registry;
}

const std::map<std::string, OperationSpec>& registry() {
  static const std::map<std::string, OperationSpec> r = make_registry();
  return r;
}

const OperationSpec& registry_entry(const std::string& name) { return registry().at(name); }

const char* type_name(ParamType type) {
  switch (type) {
    case ParamType::String:
      return "text";
    case ParamType::Strings:
      return "a list of text";
    case ParamType::Integer:
      return "an integer";
    case ParamType::Boolean:
      return "true or false";
  }
  return "?";
}

bool has_type(const Json& value, ParamType type) {
  switch (type) {
    case ParamType::String:
      return value.is_string();
    case ParamType::Strings:
      return value.is_array() &&
             std::all_of(value.begin(), value.end(), [](const Json& v) { return v.is_string(); });
    case ParamType::Integer:
      return value.is_number_integer();
    case ParamType::Boolean:
      return value.is_boolean();
  }
  return false;
}

}  // namespace

const OperationSpec* find_operation(const std::string& name) {
  auto it = registry().find(name);
  return it == registry().end() ? nullptr : &it->second;
}

std::vector<std::string> operation_names() {
  std::vector<std::string> out;
  for (auto& [name, op] : registry()) out.push_back(name);
  return out;
}

NodePtr build_operation(const std::string& name, const NodePtr& input, const Json& params,
                        const BuildContext& context) {
  const OperationSpec* op = find_operation(name);
  if (!op) throw InternalError("no operation '" + name + "'");
  if (!params.is_object()) throw InvalidInputError(name + ": parameters must be a map");
  std::vector<std::string> known;
  for (auto& p : op->params) known.push_back(p.name);
  for (auto& [key, value] : params.items()) {
    auto spec = std::find_if(op->params.begin(), op->params.end(),
                             [&](const ParamSpec& p) { return p.name == key; });
    if (spec == op->params.end()) {
      std::string guess = closest_word(key, known);
      throw InvalidInputError(name + ": unknown parameter '" + key + "'" +
                              (guess.empty() ? "" : "; did you mean '" + guess + "'?") +
                              " (parameters: " + join(known, ", ") + ")");
    }
    if (!has_type(value, spec->type))
      throw InvalidInputError(name + ": '" + key + "' must be " + type_name(spec->type) + " (" +
                              spec->help + "), not " + value.dump());
  }
  for (auto& p : op->params)
    if (p.required && !params.contains(p.name))
      throw InvalidInputError(name + ": '" + p.name + "' is missing (" + p.help + ")");
  if (!input) throw InvalidInputError(name + ": no input");
  return op->build(input, params, context);
}

void check_generated_columns(const std::vector<std::string>& columns, const std::string& where) {
  for (auto& c : columns)
    if (c != "filename" && c != "file_row_number")
      throw InvalidInputError(where + ": unknown generated column '" + c +
                              "' (filename, file_row_number)");
}

void check_sink_type(const std::string& type, const std::string& where) {
  if (type != "link_or_copy" && type != "copy" && type != "link" && type != "manifest")
    throw InvalidInputError(where + ": unknown type '" + type +
                            "' (link_or_copy, copy, link, manifest)");
}

}  // namespace smallpond
