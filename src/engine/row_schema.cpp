#include "engine/row_schema.h"

namespace smallpond {

const char* sql_type_of(const Value& v) {
  if (v.is_bool()) return "BOOLEAN";
  if (v.is_int()) return "BIGINT";
  if (v.is_double()) return "DOUBLE";
  return "VARCHAR";
}

std::vector<std::pair<std::string, std::string>> infer_columns(const std::vector<Row>& rows) {
  std::vector<std::pair<std::string, std::string>> columns;
  if (rows.empty()) return columns;
  for (auto& cell : rows.front().cells()) {
    const std::string& name = cell.first;
    std::string type = "VARCHAR";
    for (auto& r : rows) {
      if (r.has(name) && !r[name].is_null()) {
        type = sql_type_of(r[name]);
        break;
      }
    }
    columns.emplace_back(name, type);
  }
  return columns;
}

}  // namespace smallpond
