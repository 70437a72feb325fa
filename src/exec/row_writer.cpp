#include "exec/row_writer.h"

#include "engine/row_schema.h"
#include "smallpond/error.h"

namespace smallpond {

RowWriter::RowWriter(EngineConnection& con, ColumnList fixed) : con_(con) {
  if (!fixed.empty()) start(fixed);
}

void RowWriter::start(const ColumnList& columns) {
  columns_ = columns;
  sink_ = con_.create_sink(columns_);
}

void RowWriter::append(const Row& row) {
  std::vector<Value> values;
  values.reserve(columns_.size());
  for (auto& [name, type] : columns_) {
    if (!row.has(name)) throw InvalidInputError("an output row has no column '" + name + "'");
    values.push_back(row[name]);
  }
  if (row.size() != columns_.size())
    throw InvalidInputError(
        "output rows differ in their columns (first row: " + std::to_string(columns_.size()) +
        ", this row: " + std::to_string(row.size()) + ")");
  sink_->append(values);
}

void RowWriter::add(const std::vector<Row>& rows) {
  if (rows.empty()) return;
  if (!sink_) start(infer_columns(rows));
  for (auto& r : rows) append(r);
}

void RowWriter::add(const Table& table) {
  if (table.rows.empty()) return;
  if (!sink_) {
    if (table.column_types.size() == table.column_names.size()) {
      ColumnList declared;
      for (size_t c = 0; c < table.column_names.size(); c++)
        declared.emplace_back(table.column_names[c], table.column_types[c]);
      start(declared);
    } else {
      std::vector<Row> first;
      Row row;
      for (size_t c = 0; c < table.column_names.size(); c++)
        row[table.column_names[c]] = c < table.rows[0].size() ? table.rows[0][c] : Value();
      first.push_back(std::move(row));
      start(infer_columns(first));
    }
  }
  bool same_order = table.column_names.size() == columns_.size();
  for (size_t c = 0; same_order && c < columns_.size(); c++)
    same_order = table.column_names[c] == columns_[c].first;
  for (auto& values : table.rows) {
    if (same_order && values.size() == columns_.size()) {
      sink_->append(values);  // the common case: no lookups by name
      continue;
    }
    if (values.size() != table.column_names.size())
      throw InvalidInputError("a returned row has " + std::to_string(values.size()) +
                              " values for " + std::to_string(table.column_names.size()) +
                              " columns");
    Row row;
    for (size_t c = 0; c < values.size(); c++) row[table.column_names[c]] = values[c];
    append(row);
  }
}

int64_t RowWriter::write(const std::string& path) {
  if (!sink_) throw InternalError("no output columns to write");
  int64_t rows = sink_->write_parquet(path);
  sink_->clear();
  return rows;
}

}  // namespace smallpond
