#pragma once
// Rows as JSON, with their value types kept (a BIGINT stays an integer, 2.0 stays a double):
// how the parameters of C++ functions travel with their tasks and enter their keys.

#include "common/json.h"
#include "smallpond/row.h"

namespace smallpond {

//! A value: null, a boolean, an integer, {"d": double} or {"s": text}.
Json value_to_json(const Value& value);
Value value_from_json(const Json& json);
//! [[name, value], ...].
Json row_to_json(const Row& row);
Row row_from_json(const Json& json);

}  // namespace smallpond
