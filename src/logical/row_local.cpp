#include "logical/row_local.h"

#include <set>

#include "common/strings.h"
#include "engine/engine.h"
#include "logical/sql_tree.h"

namespace smallpond {

namespace {

class RowLocalCheck {
 public:
  explicit RowLocalCheck(EngineConnection& con) : con_(con) {}

  // "" when row-local, else what the query has that is not.
  std::string run(const std::string& sql) {
    std::string why;
    std::optional<Json> parsed = parse_query_over_input(con_, sql, &why);
    if (!parsed) return why;
    const Json& node = *parsed;
    if (node.value("type", "") != "SELECT_NODE") return "not a plain SELECT";
    if (!node["cte_map"]["map"].empty()) return "a WITH clause";
    const Json& from = node["from_table"];
    if (from.value("type", "") != "BASE_TABLE" || from.value("table_name", "") != kSqlInput ||
        !from.value("schema_name", "").empty() || !from["sample"].is_null())
      return "it does not read {0} alone";
    if (!node["group_expressions"].empty() || !node["having"].is_null() ||
        node.value("aggregate_handling", "") != "STANDARD_HANDLING")
      return "GROUP BY or HAVING";
    if (!node["qualify"].is_null() || !node["sample"].is_null()) return "QUALIFY or a sample";
    if (!node["modifiers"].empty()) return "DISTINCT, ORDER BY or LIMIT";
    for (const char* part : {"select_list", "where_clause"})
      if (std::string found = look_inside(node[part]); !found.empty()) return found;
    return "";
  }

 private:
  // Anything in an expression that reads more than its own row: a window, a subquery (or any
  // nested query), an aggregate.
  std::string look_inside(const Json& e) {
    if (e.is_array()) {
      for (auto& x : e)
        if (std::string found = look_inside(x); !found.empty()) return found;
      return "";
    }
    if (!e.is_object()) return "";
    std::string cls = tree_text(e, "class");
    if (cls == "WINDOW") return "a window function";
    if (cls == "SUBQUERY" || e.contains("subquery") || tree_text(e, "type") == "SELECT_NODE")
      return "a subquery";
    if (cls == "FUNCTION" && is_aggregate(tree_text(e, "function_name")))
      return "an aggregate (" + tree_text(e, "function_name") + ")";
    for (auto& [key, value] : e.items())
      if (std::string found = look_inside(value); !found.empty()) return found;
    return "";
  }

  bool is_aggregate(const std::string& name) { return is_aggregate_function(con_, name); }

  EngineConnection& con_;
};

}  // namespace

bool is_row_local(EngineConnection& con, const std::string& sql, std::string* why) {
  std::string found;
  try {
    found = RowLocalCheck(con).run(sql);
  } catch (const std::exception& e) {  // a tree of a shape not foreseen: left alone
    found = std::string("its parse could not be read: ") + e.what();
  }
  if (why) *why = found;
  return found.empty();
}

}  // namespace smallpond
