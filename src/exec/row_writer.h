#pragma once
// Rows made by user functions (filter, map, batch and table functions), collected and written
// as Parquet. The output columns are fixed by the first rows: names in the first row's order,
// types declared by the function's table or inferred from the values.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "smallpond/row.h"
#include "smallpond/table.h"

namespace smallpond {

using ColumnList = std::vector<std::pair<std::string, std::string>>;

class RowWriter {
 public:
  //! fixed: the columns when known before any row (a filter keeps its input's).
  explicit RowWriter(EngineConnection& con, ColumnList fixed = {});
  //! Rows as a function returned them; every row must have exactly the output columns.
  void add(const std::vector<Row>& rows);
  //! A table a function returned; its column_types, when given, declare the output types.
  void add(const Table& table);
  //! Whether the columns are known (rows were added, or they were fixed).
  bool has_columns() const { return !columns_.empty(); }
  //! Writes the rows added since the last write into a Parquet file; returns their count.
  int64_t write(const std::string& path);

 private:
  void start(const ColumnList& columns);
  void append(const Row& row);
  EngineConnection& con_;
  ColumnList columns_;
  std::unique_ptr<RowSink> sink_;
};

}  // namespace smallpond
