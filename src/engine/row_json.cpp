#include "engine/row_json.h"

namespace smallpond {

Json value_to_json(const Value& v) {
  if (v.is_null()) return nullptr;
  if (v.is_bool()) return v.as_bool();
  if (v.is_int()) return v.as_int();
  if (v.is_double()) return {{"d", v.as_double()}};
  return {{"s", v.as_string()}};
}

Value value_from_json(const Json& j) {
  if (j.is_null()) return Value();
  if (j.is_boolean()) return Value(j.get<bool>());
  if (j.is_number_integer()) return Value(j.get<int64_t>());
  if (j.contains("d")) return Value(j.at("d").get<double>());
  return Value(j.at("s").get<std::string>());
}

Json row_to_json(const Row& row) {
  Json out = Json::array();
  for (auto& [name, value] : row.cells()) out.push_back({name, value_to_json(value)});
  return out;
}

Row row_from_json(const Json& json) {
  Row row;
  for (auto& cell : json) row[cell.at(0).get<std::string>()] = value_from_json(cell.at(1));
  return row;
}

}  // namespace smallpond
