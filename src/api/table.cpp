#include "smallpond/table.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

#include "smallpond/error.h"

namespace smallpond {

double Value::as_double() const {
  if (is_int()) return static_cast<double>(as_int());
  return std::get<double>(data_);
}

std::string Value::to_string() const {
  if (is_null()) return "NULL";
  if (is_bool()) return as_bool() ? "true" : "false";
  if (is_int()) return std::to_string(as_int());
  if (is_double()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", std::get<double>(data_));
    return buf;
  }
  return as_string();
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
