#include "engine/row_json.h"

#include <cmath>
#include <limits>

namespace smallpond {

Json value_to_json(const Value& v) {
  if (v.is_null()) return nullptr;
  if (v.is_bool()) return v.as_bool();
  if (v.is_int()) return v.as_int();
  if (v.is_double()) {
    double d = v.as_double();
    if (std::isnan(d)) return {{"d", "nan"}};  // JSON has no NaN or infinity
    if (std::isinf(d)) return {{"d", d > 0 ? "inf" : "-inf"}};
    return {{"d", d}};
  }
  return {{"s", v.as_string()}};
}

Value value_from_json(const Json& j) {
  if (j.is_null()) return Value();
  if (j.is_boolean()) return Value(j.get<bool>());
  if (j.is_number_integer()) return Value(j.get<int64_t>());
  if (j.contains("d")) {
    const Json& d = j.at("d");
    if (d.is_string()) {
      std::string s = d.get<std::string>();
      if (s == "nan") return Value(std::numeric_limits<double>::quiet_NaN());
      return Value(s == "inf" ? std::numeric_limits<double>::infinity()
                              : -std::numeric_limits<double>::infinity());
    }
    return Value(d.get<double>());
  }
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
