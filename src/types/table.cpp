#include "smallpond/table.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "smallpond/error.h"

namespace smallpond {

// The value a Row handed out last on this thread (its address, only compared) and its column
// (a copy: the row may be gone by the time an error names it).
thread_local const Value* t_row_value = nullptr;
thread_local std::string t_row_column;

void note_row_access(const Value* value, const std::string* column) {
  t_row_value = value;
  t_row_column = *column;
}

void Value::wrong_type(const char* wanted, const char* accessor) const {
  const char* has = is_null()     ? "NULL"
                    : is_bool()   ? "BOOLEAN (use as_bool())"
                    : is_int()    ? "an integer (use as_int() or as_double())"
                    : is_double() ? "a floating-point number (use as_double())"
                                  : "text (use as_string())";
  std::string where =
      t_row_value == this ? "column '" + t_row_column + "'" : std::string("a value");
  throw InvalidInputError(where + " is " + has + ", not " + wanted + ": " + accessor +
                          " cannot read it (value: " + to_string() + ")");
}

void Value::out_of_range() {
  throw InvalidInputError(
      "an unsigned integer above 9223372036854775807 does not fit a Value "
      "(BIGINT); convert it to double or text");
}

double Value::as_double() const {
  if (is_int()) return static_cast<double>(std::get<int64_t>(data_));
  if (!is_double()) wrong_type("a number", "as_double()");
  return std::get<double>(data_);
}

std::string Value::to_string() const {
  if (is_null()) return "NULL";
  if (is_bool()) return std::get<bool>(data_) ? "true" : "false";
  if (is_int()) return std::to_string(std::get<int64_t>(data_));
  if (is_double()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", std::get<double>(data_));
    return buf;
  }
  return std::get<std::string>(data_);
}

size_t Table::column_index(const std::string& name) const {
  for (size_t i = 0; i < column_names.size(); i++)
    if (column_names[i] == name) return i;
  throw InvalidInputError("the table has no column '" + name + "'");
}

std::string Table::to_string(size_t max_rows) const {
  size_t shown = std::min(max_rows, rows.size());
  std::vector<size_t> width(column_names.size());
  for (size_t c = 0; c < column_names.size(); c++) width[c] = column_names[c].size();
  std::vector<std::vector<std::string>> cells(shown);
  for (size_t r = 0; r < shown; r++) {
    for (size_t c = 0; c < rows[r].size(); c++) {
      cells[r].push_back(rows[r][c].to_string());
      width[c] = std::max(width[c], cells[r][c].size());
    }
  }
  auto line = [&](const std::vector<std::string>& items) {
    std::string out;
    for (size_t c = 0; c < items.size(); c++) {
      out += c ? " | " : "";
      out += items[c] + std::string(width[c] - items[c].size(), ' ');
    }
    return out + "\n";
  };
  std::string out = line(column_names);
  std::string rule;
  for (size_t c = 0; c < width.size(); c++) rule += (c ? "-+-" : "") + std::string(width[c], '-');
  out += rule + "\n";
  for (auto& row : cells) out += line(row);
  if (shown < rows.size()) out += "... " + std::to_string(rows.size() - shown) + " more rows\n";
  out += "(" + std::to_string(rows.size()) + " rows)\n";
  return out;
}

std::ostream& operator<<(std::ostream& os, const Table& table) { return os << table.to_string(); }

}  // namespace smallpond
