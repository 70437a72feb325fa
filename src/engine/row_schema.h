#pragma once
// SQL column types for rows built in C++ (map/flat_map outputs, in-memory sources).

#include <string>
#include <utility>
#include <vector>

#include "smallpond/row.h"

namespace smallpond {

//! BOOLEAN, BIGINT, DOUBLE or VARCHAR (also for NULL).
const char* sql_type_of(const Value& value);

//! Columns named as in the first row, in its order; each typed by its first non-null value
//! among the rows (VARCHAR when all are null).
std::vector<std::pair<std::string, std::string>> infer_columns(const std::vector<Row>& rows);

}  // namespace smallpond
