#include <duckdb/common/arrow/arrow_converter.hpp>

#include "engine/batch_internal.h"
#include "engine/engine.h"
#include "smallpond/error.h"

namespace smallpond {

Batch::Batch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Batch::~Batch() = default;

std::unique_ptr<Batch> empty_batch() {
  auto impl = std::make_unique<Batch::Impl>();
  impl->owned = std::make_unique<duckdb::DataChunk>();  // no columns, no rows
  impl->chunk = impl->owned.get();
  return std::make_unique<Batch>(std::move(impl));
}

size_t Batch::num_rows() const { return impl_->chunk->size(); }
size_t Batch::num_columns() const { return impl_->chunk->ColumnCount(); }
const std::vector<std::string>& Batch::column_names() const { return impl_->names; }

std::vector<std::string> Batch::column_types() const {
  std::vector<std::string> out;
  for (auto& t : impl_->chunk->GetTypes()) out.push_back(t.ToString());
  return out;
}

Value Batch::value(size_t column, size_t row) const {
  if (column >= num_columns() || row >= num_rows())
    throw InvalidInputError("batch cell out of range");
  return to_value(impl_->chunk->GetValue(column, row));
}

Table Batch::to_table() const {
  Table t;
  t.column_names = impl_->names;
  t.column_types = column_types();
  for (size_t r = 0; r < num_rows(); r++) {
    std::vector<Value> row;
    for (size_t c = 0; c < num_columns(); c++) row.push_back(value(c, r));
    t.rows.push_back(std::move(row));
  }
  return t;
}

void Batch::export_arrow(ArrowSchema* schema, ArrowArray* array) const {
  duckdb::vector<std::string> names(impl_->names.begin(), impl_->names.end());
  duckdb::ArrowConverter::ToArrowSchema(schema, impl_->chunk->GetTypes(), names, impl_->properties);
  duckdb::ArrowConverter::ToArrowArray(*impl_->chunk, array, impl_->properties, {});
}

}  // namespace smallpond
