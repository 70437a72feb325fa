#include "logical/sql_tree.h"

#include <algorithm>
#include <mutex>

#include "common/strings.h"
#include "engine/engine.h"

namespace smallpond {

Json parse_sql_tree(EngineConnection& con, const std::string& sql) {
  Table t = con.query("SELECT json_serialize_sql(" + sql_string(sql) + ")::VARCHAR");
  return Json::parse(t.rows.at(0).at(0).as_string());
}

std::optional<Json> parse_query_over_input(EngineConnection& con, const std::string& sql,
                                           std::string* why) {
  size_t inputs = 0;
  for (size_t at = sql.find("{0}"); at != std::string::npos; at = sql.find("{0}", at + 3)) inputs++;
  if (inputs != 1 || std::count(sql.begin(), sql.end(), '{') != 1 ||
      std::count(sql.begin(), sql.end(), '}') != 1) {
    if (why) *why = "placeholders other than one {0}";
    return std::nullopt;
  }
  std::string text = sql;
  text.replace(text.find("{0}"), 3, kSqlInput);
  Json parsed = parse_sql_tree(con, text);
  if (parsed.value("error", true) || parsed["statements"].size() != 1) {
    if (why) *why = "not one statement DuckDB can parse";
    return std::nullopt;
  }
  return parsed["statements"][0]["node"];
}

std::string tree_text(const Json& tree, const char* key) {
  auto it = tree.find(key);
  return it != tree.end() && it->is_string() ? it->get<std::string>() : "";
}

bool is_aggregate_function(EngineConnection& con, const std::string& name) {
  // Listing DuckDB's functions takes about 8 ms, and planning asks for every step.
  static std::once_flag once;
  static std::set<std::string> names;
  std::call_once(once, [&] {
    Table t = con.query(
        "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'aggregate'");
    for (auto& row : t.rows) names.insert(to_lower(row[0].as_string()));
  });
  return names.count(to_lower(name)) > 0;
}

std::string print_sql_tree(EngineConnection& con, const Json& select_node) {
  Json statement = {
      {"error", false},
      {"statements", Json::array({{{"node", select_node}, {"named_param_map", Json::array()}}})}};
  Table t = con.query("SELECT json_deserialize_sql(" + sql_string(statement.dump()) + "::JSON)");
  return t.rows.at(0).at(0).as_string();
}

}  // namespace smallpond
