#include "logical/aggregate_split.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <set>

#include "common/json.h"
#include "common/strings.h"
#include "engine/engine.h"
#include "engine/sql_template.h"
#include "io/filesystem.h"
#include "logical/sql_tree.h"

namespace smallpond {

namespace {

const char* const kInput = kSqlInput;   // {0} while DuckDB reads the query
const char* const kPartial = "__sp_p";  // partial results: __sp_p0, __sp_p1, ...

struct CannotSplit {
  std::string why;
};

class Splitter {
 public:
  Splitter(EngineConnection& con, const std::vector<std::string>& keys,
           const std::string& input_relation)
      : con_(con), input_relation_(input_relation) {
    for (auto& k : keys) keys_.insert(to_lower(k));
  }

  AggregateSplit run(const std::string& sql) {
    std::string why;
    std::optional<Json> parsed = parse_query_over_input(con_, sql, &why);
    if (!parsed) throw CannotSplit{why};
    // The partial results are named __sp_p0, __sp_p1, ...: a query that names anything so
    // would read one where it meant the other.
    if (to_lower(sql).find(kPartial) != std::string::npos)
      throw CannotSplit{std::string("it names ") + kPartial + "..., the partial results' names"};
    std::string text = sql;  // as DuckDB read it
    text.replace(text.find("{0}"), 3, kInput);
    Json node = std::move(*parsed);
    check_shape(node);
    node_ = node;
    // Names the query's own select list gives (a reference to one is not an input column).
    for (auto& item : node["select_list"]) {
      std::string alias = to_lower(item.value("alias", ""));
      if (alias.empty()) continue;
      if (grouped_.count(alias) && group_column(item) != alias)
        throw CannotSplit{"a GROUP BY name that is the alias of an expression"};
      aliases_.insert(alias);
    }
    if (!node["where_clause"].is_null()) input_columns_only(node["where_clause"]);

    Json partial = node, final = node;
    Json keys = Json::array();  // the partial's group columns, as the query names them
    for (auto& g : node["group_expressions"]) keys.push_back(g);
    Json final_list = Json::array();
    for (auto& item : node["select_list"]) {
      bool is_key = item["class"] == "COLUMN_REF" && group_column(item).size() > 0;
      Json rewritten = rewrite(item);
      std::string alias = item.value("alias", "");
      if (!alias.empty())
        rewritten["alias"] = alias;
      else if (!is_key)
        rewritten["alias"] = output_name(item);
      final_list.push_back(rewritten);
    }
    if (aggregates_.empty()) throw CannotSplit{"the query has no aggregate"};
    final["select_list"] = final_list;
    final["where_clause"] = nullptr;
    if (!node["having"].is_null()) final["having"] = rewrite(node["having"]);
    for (auto& m : final["modifiers"])
      if (m["type"] == "ORDER_MODIFIER")
        for (auto& o : m["orders"]) o["expression"] = rewrite(o["expression"]);

    Json partial_list = keys;
    for (auto& a : aggregates_) partial_list.push_back(a);
    partial["select_list"] = partial_list;
    partial["having"] = nullptr;
    partial["modifiers"] = Json::array();
    AggregateSplit out;
    out.partial = print(partial);
    out.final = print(final);
    if (!input_relation_.empty()) same_result_as(text, out);
    return out;
  }

 private:
  Json parse(const std::string& sql) { return parse_sql_tree(con_, sql); }
  std::string deserialize(const Json& node) { return print_sql_tree(con_, node); }

  // The statement's SQL, with {0} back in place of the input's name.
  std::string print(const Json& node) {
    std::string sql = deserialize(node);
    if (sql.find('{') != std::string::npos || sql.find('}') != std::string::npos)
      throw CannotSplit{"the rewritten query has braces (they would read as placeholders)"};
    size_t at = 0, found = 0;
    while ((at = sql.find(kInput, at)) != std::string::npos) {
      sql.replace(at, std::string(kInput).size(), "{0}");
      found++;
    }
    if (found != 1) throw CannotSplit{"the input's name appears other than once"};
    return sql;
  }

  void check_shape(const Json& node) {
    if (node.value("type", "") != "SELECT_NODE") throw CannotSplit{"not a plain SELECT"};
    if (!node["cte_map"]["map"].empty()) throw CannotSplit{"a WITH clause"};
    const Json& from = node["from_table"];
    if (from.value("type", "") != "BASE_TABLE" || from.value("table_name", "") != kInput ||
        !from.value("schema_name", "").empty() || !from["sample"].is_null())
      throw CannotSplit{"it does not read {0} alone"};
    alias_ = to_lower(from.value("alias", ""));
    if (!node["qualify"].is_null() || !node["sample"].is_null())
      throw CannotSplit{"QUALIFY or a sample"};
    if (node.value("aggregate_handling", "") != "STANDARD_HANDLING")
      throw CannotSplit{"GROUP BY ALL"};
    const Json& groups = node["group_expressions"];
    if (groups.empty()) throw CannotSplit{"no GROUP BY"};
    for (auto& g : groups) {
      std::string column = group_column(g);
      if (column.empty()) throw CannotSplit{"a GROUP BY item that is not a column"};
      grouped_.insert(column);
    }
    Json all = Json::array();
    for (size_t i = 0; i < groups.size(); i++) all.push_back(i);
    if (node["group_sets"] != Json::array({all})) throw CannotSplit{"GROUPING SETS"};
    for (auto& k : keys_)
      if (!grouped_.count(k)) throw CannotSplit{"it does not group by the partition key " + k};
    for (auto& m : node["modifiers"]) {
      std::string type = m.value("type", "");
      if (type != "ORDER_MODIFIER" && type != "LIMIT_MODIFIER")
        throw CannotSplit{"a " + type + " clause"};
    }
  }

  // The column a group expression names (lower case), or "" when it is not a plain column.
  std::string group_column(const Json& e) const {
    if (e.value("class", "") != "COLUMN_REF") return "";
    const Json& names = e["column_names"];
    if (names.size() == 1) return to_lower(names[0]);
    if (names.size() == 2 && !alias_.empty() && to_lower(names[0]) == alias_)
      return to_lower(names[1]);
    if (names.size() == 2 && to_lower(names[0]) == kInput) return to_lower(names[1]);
    return "";
  }

  bool is_aggregate(const std::string& name) { return is_aggregate_function(con_, name); }

  // The expression with every aggregate replaced by its final step over a partial result.
  Json rewrite(const Json& e) {
    if (e.is_array()) {
      Json out = Json::array();
      for (auto& x : e) out.push_back(rewrite(x));
      return out;
    }
    if (!e.is_object()) return e;
    std::string cls = e.value("class", "");
    if (cls == "SUBQUERY" || cls == "WINDOW" || cls == "STAR" || cls == "LAMBDA" ||
        cls == "PARAMETER")
      throw CannotSplit{"a " + to_lower(cls) + " expression"};
    if (cls == "FUNCTION" && is_aggregate(e.value("function_name", ""))) return combine(e);
    if (cls == "COLUMN_REF") {
      // Outside aggregates: a group column (the partial rows have it) or a name of the select
      // list (HAVING, ORDER BY); anything else is not valid in the query anyway: leave it.
      std::string column = group_column(e);
      bool alias = e["column_names"].size() == 1 && aliases_.count(to_lower(e["column_names"][0]));
      if (!(grouped_.count(column) || alias))
        throw CannotSplit{"a column outside aggregates that is not grouped"};
      return e;
    }
    Json out = e;
    for (auto& [k, v] : out.items())
      if (v.is_structured()) v = rewrite(e[k]);
    return out;
  }

  Json combine(const Json& agg) {
    std::string name = to_lower(agg.value("function_name", ""));
    size_t args = agg["children"].size();
    if (agg.value("distinct", false) || !agg["filter"].is_null() ||
        !agg["order_bys"]["orders"].empty() || agg.value("export_state", false) ||
        !agg.value("schema", "").empty())
      throw CannotSplit{name + " with DISTINCT, FILTER or ORDER BY"};
    std::string final_text;
    std::string partial_name = kPartial + std::to_string(aggregates_.size());
    Json partial = agg;
    for (auto& child : agg["children"]) no_aggregate_in(child);
    if ((name == "count_star" && args == 0) || (name == "count" && args <= 1)) {
      final_text = "CAST(sum(" + partial_name + ") AS BIGINT)";
    } else if ((name == "min" || name == "max") && args == 1) {
      final_text = name + "(" + partial_name + ")";
    } else if (name == "sum" && args == 1 && !input_relation_.empty()) {
      // Exact sums only: of integers (a HUGEINT, which Parquet cannot hold: carried as
      // DECIMAL(38,0)) and of decimals (DECIMAL(38,s) as it is). Floating-point sums depend
      // on the order of addition.
      std::string type = type_of(agg);
      std::string argument = type_of(agg["children"][0]);
      if (argument == "HUGEINT" || argument == "UHUGEINT")  // sums of BIGINTs fit; of these not
        throw CannotSplit{"a sum of " + argument + " (a partial sum may not fit DECIMAL(38,0))"};
      if (type == "HUGEINT") {
        partial = parse(
            "SELECT CAST(__sp_x AS DECIMAL(38,0))")["statements"][0]["node"]["select_list"][0];
        replace_placeholder(partial, agg);
        final_text = "CAST(sum(" + partial_name + ") AS HUGEINT)";
      } else if (type.compare(0, 8, "DECIMAL(") == 0) {
        final_text = "sum(" + partial_name + ")";
      } else {
        throw CannotSplit{"a sum of " + type + " (not exact)"};
      }
    } else {
      throw CannotSplit{"the aggregate " + name + " does not combine"};
    }
    partial["alias"] = partial_name;
    aggregates_.push_back(partial);
    Json final = parse("SELECT " + final_text)["statements"][0]["node"]["select_list"][0];
    final["alias"] = "";
    return final;
  }

  // The SQL type of an aggregate of the query over the input's (empty) rows.
  std::string type_of(const Json& agg) {
    Json probe = node_;
    probe["select_list"] = Json::array({agg});
    for (const char* clause : {"where_clause", "having"}) probe[clause] = nullptr;
    probe["group_expressions"] = Json::array();
    probe["group_sets"] = Json::array();
    probe["modifiers"] = Json::array();
    Table t = con_.query("DESCRIBE " + over_input(print(probe)));
    return t.rows.at(0).at(1).as_string();
  }

  std::string over_input(const std::string& query) const {
    return substitute_sql_input(query, 0, "(" + input_relation_ + ")");
  }

  // Where the parsed probe has the column __sp_x, puts `e`.
  static void replace_placeholder(Json& tree, const Json& e) {
    if (tree.is_object() && tree.value("class", "") == "COLUMN_REF" &&
        tree["column_names"] == Json::array({"__sp_x"})) {
      tree = e;
      return;
    }
    if (tree.is_structured())
      for (auto& [k, v] : tree.items()) replace_placeholder(v, e);
  }

  // The final query over the partial rows, after they crossed the shuffle as Parquet, has the
  // columns (names and types) the query has: checked on the input's empty rows.
  void same_result_as(const std::string& original, const AggregateSplit& split) {
    auto columns = [&](const std::string& query) {
      std::vector<std::pair<std::string, std::string>> out;
      for (auto& row : con_.query("DESCRIBE " + query).rows)
        out.emplace_back(row.at(0).as_string(), row.at(1).as_string());
      return out;
    };
    std::string sql = original;
    sql.replace(sql.find(kInput), std::string(kInput).size(), "(" + input_relation_ + ")");
    auto want = columns(sql);
    std::string file = (std::filesystem::temp_directory_path() /
                        ("smallpond-combiner-" + unique_suffix() + ".parquet"))
                           .string();
    std::vector<std::pair<std::string, std::string>> got;
    try {
      con_.query_int("COPY (" + over_input(split.partial) + ") TO " + sql_string(file) +
                     " (FORMAT parquet)");
      got = columns(substitute_sql_input(split.final, 0,
                                         "(SELECT * FROM read_parquet(" + sql_string(file) + "))"));
    } catch (...) {
      std::remove(file.c_str());
      throw;
    }
    std::remove(file.c_str());
    if (got != want) throw CannotSplit{"the split query's columns would differ"};
  }

  // WHERE runs in the partial aggregate, over the input's columns: a name of the select list
  // there would not exist.
  void input_columns_only(const Json& e) {
    if (e.is_array())
      for (auto& x : e) input_columns_only(x);
    if (!e.is_object()) return;
    if (e.value("class", "") == "COLUMN_REF" && e["column_names"].size() == 1 &&
        aliases_.count(to_lower(e["column_names"][0])))
      throw CannotSplit{"WHERE names a column of the select list"};
    if (e.value("class", "") == "SUBQUERY") throw CannotSplit{"a subquery in WHERE"};
    for (auto& [k, v] : e.items())
      if (v.is_structured()) input_columns_only(v);
  }

  void no_aggregate_in(const Json& e) {
    if (e.is_array())
      for (auto& x : e) no_aggregate_in(x);
    if (!e.is_object()) return;
    if (e.value("class", "") == "FUNCTION" && is_aggregate(e.value("function_name", "")))
      throw CannotSplit{"nested aggregates"};
    if (e.value("class", "") == "SUBQUERY" || e.value("class", "") == "WINDOW")
      throw CannotSplit{"a subquery or window in an aggregate"};
    for (auto& [k, v] : e.items())
      if (v.is_structured()) no_aggregate_in(v);
  }

  // The name DuckDB gives an output column without an alias: its expression as DuckDB prints
  // it (the original expression, before rewriting).
  std::string output_name(const Json& item) {
    if (select_only_.is_null()) select_only_ = parse("SELECT 1")["statements"][0]["node"];
    Json probe = select_only_;
    probe["select_list"] = Json::array({item});
    std::string text = deserialize(probe);
    if (text.compare(0, 7, "SELECT ") != 0) throw CannotSplit{"cannot name a column"};
    return text.substr(7);
  }

  EngineConnection& con_;
  std::string input_relation_;  // the input's columns, no rows; empty: unknown
  Json node_;                   // the query's SELECT node
  Json select_only_;            // a SELECT node without FROM, to print expressions with
  std::set<std::string> keys_;
  std::string alias_;
  std::set<std::string> grouped_;  // the group columns, lower case
  std::set<std::string> aliases_;  // the select list's aliases, lower case
  std::vector<Json> aggregates_;   // the partial results, in order (aliased __sp_pN)
};

}  // namespace

std::optional<AggregateSplit> split_aggregate(EngineConnection& con, const std::string& sql,
                                              const std::vector<std::string>& keys,
                                              const std::string& input_relation, std::string* why) {
  if (keys.empty()) {
    if (why) *why = "the input is not hash-partitioned by columns";
    return std::nullopt;
  }
  try {
    return Splitter(con, keys, input_relation).run(sql);
  } catch (const CannotSplit& e) {
    if (why) *why = e.why;
  } catch (const std::exception& e) {  // DuckDB could not parse or print it: leave it
    if (why) *why = e.what();
  }
  return std::nullopt;
}

}  // namespace smallpond
