#include "logical/predicate_pushdown.h"

#include <cctype>
#include <set>
#include <vector>

#include "common/json.h"
#include "common/strings.h"
#include "engine/engine.h"
#include "engine/sql_template.h"
#include "logical/sql_tree.h"

namespace smallpond {

namespace {

const char* const kInput = kSqlInput;  // the input while DuckDB reads the query

struct NoFilter {
  std::string why;
};

struct Leaf {
  const Json* ref;
  // Every row of it reaches the WHERE clause on its own account, whatever the other relations
  // hold: it is on the kept side of every outer join above it. A filter on it before the join
  // then drops exactly the rows WHERE drops. (On the other side of an outer join it would not:
  // a row whose matches were all filtered away comes back padded with NULLs, which a condition
  // such as `b.y IS NULL OR b.y > 40` keeps.)
  bool preserved;
};

// The relations of a FROM clause made of joins; NoFilter for a natural, positional or as-of
// join, a table function or a sample (they pair or see rows otherwise).
void join_leaves(const Json& ref, bool preserved, std::vector<Leaf>& leaves) {
  std::string type = tree_text(ref, "type");
  if (type == "JOIN") {
    std::string ref_type = tree_text(ref, "ref_type");
    if (ref_type != "REGULAR" && ref_type != "CROSS")
      throw NoFilter{"a " + to_lower(ref_type) + " join"};
    std::string join_type = tree_text(ref, "join_type");
    bool left = preserved, right = preserved;  // INNER
    if (join_type == "LEFT" || join_type == "SEMI" || join_type == "ANTI")
      right = false;
    else if (join_type == "RIGHT")
      left = false;
    else if (join_type != "INNER")
      left = right = false;  // FULL and anything else
    join_leaves(ref["left"], left, leaves);
    join_leaves(ref["right"], right, leaves);
    return;
  }
  if (type != "BASE_TABLE" && type != "SUBQUERY") throw NoFilter{"FROM reads a " + to_lower(type)};
  if (ref.contains("sample") && !ref["sample"].is_null()) throw NoFilter{"a table sample"};
  leaves.push_back({&ref, preserved});
}

// How often the statement reads the input (anywhere: FROM, subqueries, CTEs).
int input_reads(const Json& tree) {
  int n = 0;
  if (tree.is_object() && tree_text(tree, "type") == "BASE_TABLE" &&
      tree_text(tree, "table_name") == kInput)
    n++;
  if (tree.is_structured())
    for (auto& [key, value] : tree.items()) n += input_reads(value);
  return n;
}

void conjuncts(const Json& e, std::vector<Json>& out) {
  if (tree_text(e, "class") == "CONJUNCTION" && tree_text(e, "type") == "CONJUNCTION_AND") {
    for (auto& c : e["children"]) conjuncts(c, out);
    return;
  }
  out.push_back(e);
}

class FilterFinder {
 public:
  FilterFinder(EngineConnection& con, const std::string& alias, bool alone)
      : con_(con), alias_(to_lower(alias)), alone_(alone) {}

  // The conjunct over the input's columns alone, its references unqualified; false when it
  // reads anything else.
  bool rewrite(Json& e, int& references) {
    if (e.is_array()) {
      for (auto& x : e)
        if (!rewrite(x, references)) return false;
      return true;
    }
    if (!e.is_object()) return true;
    std::string cls = tree_text(e, "class");
    if (cls == "SUBQUERY" || e.contains("subquery") || tree_text(e, "type") == "SELECT_NODE" ||
        cls == "WINDOW" || cls == "POSITIONAL_REFERENCE" || cls == "PARAMETER" || cls == "STAR")
      return false;
    if (cls == "FUNCTION" && is_aggregate(tree_text(e, "function_name"))) return false;
    if (cls == "COLUMN_REF") {
      Json& names = e["column_names"];
      bool qualified = names.size() >= 2 && names[0].is_string() &&
                       to_lower(names[0].get<std::string>()) == alias_;
      if (qualified) {
        names.erase(names.begin());
      } else if (!alone_) {
        return false;  // in a join, an unqualified name may be any relation's
      }
      references++;
      return true;
    }
    for (auto& [key, value] : e.items())
      if (!rewrite(value, references)) return false;
    return true;
  }

 private:
  bool is_aggregate(const std::string& name) { return is_aggregate_function(con_, name); }

  EngineConnection& con_;
  std::string alias_;
  bool alone_;
};

// `SELECT * FROM <input> WHERE` the conjuncts, from DuckDB's own parse of such a query.
Json filter_node(EngineConnection& con, const std::vector<Json>& kept) {
  std::string shape =
      std::string("SELECT * FROM ") + kInput + " WHERE true" + (kept.size() > 1 ? " AND true" : "");
  Json parsed = parse_sql_tree(con, shape);
  Json node = parsed["statements"][0]["node"];
  if (kept.size() == 1)
    node["where_clause"] = kept[0];
  else
    node["where_clause"]["children"] = kept;
  return node;
}

}  // namespace

std::string filter_for_input(EngineConnection& con, const std::string& query, size_t index,
                             size_t inputs, const std::string& input_columns, std::string* why) {
  try {
    int used = count_sql_template_inputs(query);
    if (used < 1 || static_cast<size_t>(used) > inputs || index >= inputs ||
        !is_single_sql_statement(query))
      throw NoFilter{"not one statement over its inputs"};
    std::vector<std::string> relations;
    for (size_t i = 0; i < inputs; i++)
      relations.push_back(i == index ? std::string(kInput) : "__sp_other" + std::to_string(i));
    std::string text_sql;
    try {
      text_sql = expand_sql_template(query, relations);
    } catch (const std::exception&) {
      throw NoFilter{"placeholders beyond its inputs"};
    }
    Json parsed = parse_sql_tree(con, text_sql);
    if (parsed.value("error", true) || parsed["statements"].size() != 1)
      throw NoFilter{"not one statement DuckDB can parse"};
    const Json& node = parsed["statements"][0]["node"];
    if (tree_text(node, "type") != "SELECT_NODE") throw NoFilter{"not a plain SELECT"};
    if (!node["cte_map"]["map"].empty()) throw NoFilter{"a WITH clause"};
    if (!node["sample"].is_null()) throw NoFilter{"a sample"};
    if (node["where_clause"].is_null()) throw NoFilter{"no WHERE clause"};
    if (input_reads(node) != 1) throw NoFilter{"it reads the input other than once"};
    std::vector<Leaf> leaves;
    join_leaves(node["from_table"], true, leaves);
    std::string alias;
    for (const Leaf& leaf : leaves)
      if (tree_text(*leaf.ref, "type") == "BASE_TABLE" &&
          tree_text(*leaf.ref, "table_name") == kInput) {
        if (!(*leaf.ref)["column_name_alias"].empty())
          throw NoFilter{"columns renamed by position"};
        if (!leaf.preserved) throw NoFilter{"the input is the padded side of an outer join"};
        alias = tree_text(*leaf.ref, "alias").empty() ? kInput : tree_text(*leaf.ref, "alias");
      }
    if (alias.empty()) throw NoFilter{"the input is not a relation of its FROM clause"};
    bool alone = leaves.size() == 1;
    if (alone && input_columns.empty())
      throw NoFilter{"the input's columns are not known (WHERE may name the select list)"};

    std::vector<Json> all, kept;
    conjuncts(node["where_clause"], all);
    FilterFinder finder(con, alias, alone);
    for (auto& c : all) {
      Json rewritten = c;
      int references = 0;
      if (finder.rewrite(rewritten, references) && references > 0) kept.push_back(rewritten);
    }
    if (kept.empty()) throw NoFilter{"no condition reads the input alone"};
    std::string sql = print_sql_tree(con, filter_node(con, kept));
    if (sql.find('{') != std::string::npos || sql.find('}') != std::string::npos)
      throw NoFilter{"the filter has braces (they would read as placeholders)"};
    size_t at = sql.find(kInput);
    if (at == std::string::npos || sql.find(kInput, at + 1) != std::string::npos)
      throw NoFilter{"the input's name appears other than once in the filter"};
    sql.replace(at, std::string(kInput).size(), "{0}");
    if (con.is_volatile(expand_sql_template(sql, {kInput})))
      throw NoFilter{"the filter calls a volatile function"};
    if (!input_columns.empty()) {
      // It must bind over the input's columns (WHERE may name the select list's aliases).
      try {
        con.query("DESCRIBE " + expand_sql_template(sql, {"(" + input_columns + ")"}));
      } catch (const EngineError&) {
        throw NoFilter{"the filter does not bind over the input's columns"};
      }
    }
    return sql;
  } catch (const NoFilter& n) {
    if (why) *why = n.why;
    return "";
  } catch (const EngineError& e) {
    if (why) *why = e.what();
    return "";
  }
}

}  // namespace smallpond
