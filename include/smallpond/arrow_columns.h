#pragma once
//! ArrowColumns: columns built from C++ vectors and handed out as an Arrow struct array, for
//! functions with columnar output (ArrowBatchFunction) that do not use an Arrow library.
//!
//!   void thrice(const Batch& in, ArrowSchema* schema, ArrowArray* array) {
//!     std::vector<int64_t> out = ...;
//!     ArrowColumns columns;
//!     columns.add("thrice", std::move(out));
//!     columns.export_arrow(schema, array);
//!   }

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "smallpond/arrow_c_data.h"

namespace smallpond {

class ArrowColumns {
 public:
  ArrowColumns();
  ~ArrowColumns();
  ArrowColumns(const ArrowColumns&) = delete;
  ArrowColumns& operator=(const ArrowColumns&) = delete;

  //! Adds a column (BIGINT, DOUBLE, VARCHAR). All columns must have the same length.
  ArrowColumns& add(const std::string& name, std::vector<int64_t> values);
  ArrowColumns& add(const std::string& name, std::vector<double> values);
  ArrowColumns& add(const std::string& name, const std::vector<std::string>& values);

  size_t num_rows() const;
  size_t num_columns() const;

  //! Moves the columns into an Arrow struct array (one child per column) and its schema, without
  //! copying them; the receiver releases both. Leaves this object empty.
  void export_arrow(ArrowSchema* schema, ArrowArray* array);

  struct Column;  //!< one column's buffers (opaque)

 private:
  std::vector<std::unique_ptr<Column>> columns_;
  void add_column(std::unique_ptr<Column> column);
};

}  // namespace smallpond
