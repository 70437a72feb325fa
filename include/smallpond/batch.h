#pragma once
//! Batch: a columnar slice of a partition's rows, as given to map_batches functions. It can be
//! exported through the Arrow C Data Interface, so Arrow-based code reads it without copying.

#include <memory>
#include <string>
#include <vector>

#include "smallpond/arrow_c_data.h"
#include "smallpond/row.h"
#include "smallpond/table.h"

namespace smallpond {

class Batch {
 public:
  struct Impl;
  explicit Batch(std::unique_ptr<Impl> impl);
  ~Batch();
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  size_t num_rows() const;
  size_t num_columns() const;
  const std::vector<std::string>& column_names() const;
  std::vector<std::string> column_types() const;  //!< SQL type names
  //! One cell (converted; for bulk access use export_arrow).
  Value value(size_t column, size_t row) const;
  //! All rows, row by row.
  Table to_table() const;
  //! Exports the batch as an Arrow struct array with one child per column, and its schema.
  //! The caller owns both structs and must call their release callbacks.
  void export_arrow(ArrowSchema* schema, ArrowArray* array) const;

 private:
  std::unique_ptr<Impl> impl_;
};

//! A map_batches function: a batch in, rows out (any columns; types from table.column_types
//! when given, else from the values). A plain function or a lambda without captures.
using BatchFunction = Table (*)(const Batch&);

//! A map_batches function with columnar output: it exports its result through the Arrow C Data
//! Interface as a struct array (one child per column) and its schema — Arrow's
//! ExportRecordBatch does, and input.export_arrow() passes the batch through. smallpond takes
//! ownership of both structs and releases them; no row is converted one by one. Leaving both
//! unset (release == NULL) means: no rows from this batch.
using ArrowBatchFunction = void (*)(const Batch& input, ArrowSchema* schema, ArrowArray* array);
//! The same with parameters, given to every call (as for map(fn, params)): values that the
//! function needs and cannot capture, since it runs in other processes.
using ArrowBatchWithParams = void (*)(const Batch& input, const Row& params, ArrowSchema* schema,
                                      ArrowArray* array);

//! A SQL function that takes its calls in batches: one column per argument (named arg0, arg1,
//! ...), one value per row in the result; with parameters as for map(fn, params).
using ScalarBatchFunction = std::vector<Value> (*)(const Batch& args, const Row& params);

//! A function over whole partitions: one batch per input (all of the partition's rows; a batch
//! with no rows still has the columns), rows out as for BatchFunction. Plain function or
//! capture-less lambda.
using TableFunction = Table (*)(const std::vector<const Batch*>& inputs);

}  // namespace smallpond
