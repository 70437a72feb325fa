#include "smallpond/row.h"

#include "smallpond/error.h"

namespace smallpond {

void note_row_access(const Value* value, const std::string* column);  // api/table.cpp

const Value& Row::operator[](const std::string& column) const {
  for (auto& [name, value] : cells_)
    if (name == column) {
      note_row_access(&value, &name);
      return value;
    }
  throw InvalidInputError("the row has no column '" + column + "'");
}

Value& Row::operator[](const std::string& column) {
  for (auto& [name, value] : cells_)
    if (name == column) return value;
  cells_.emplace_back(column, Value());
  return cells_.back().second;
}

bool Row::has(const std::string& column) const {
  for (auto& cell : cells_)
    if (cell.first == column) return true;
  return false;
}

}  // namespace smallpond
