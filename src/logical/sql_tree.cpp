#include "logical/sql_tree.h"

#include "common/strings.h"
#include "engine/engine.h"

namespace smallpond {

Json parse_sql_tree(EngineConnection& con, const std::string& sql) {
  Table t = con.query("SELECT json_serialize_sql(" + sql_string(sql) + ")::VARCHAR");
  return Json::parse(t.rows.at(0).at(0).as_string());
}

std::string print_sql_tree(EngineConnection& con, const Json& select_node) {
  Json statement = {
      {"error", false},
      {"statements", Json::array({{{"node", select_node}, {"named_param_map", Json::array()}}})}};
  Table t = con.query("SELECT json_deserialize_sql(" + sql_string(statement.dump()) + "::JSON)");
  return t.rows.at(0).at(0).as_string();
}

}  // namespace smallpond
