#pragma once
// The rows of a DataChunk grouped by their bucket: what every bucket writer (chunk files,
// Parquet buckets) does with each chunk before it appends the rows of one bucket at a time.
// Only engine/ includes this.

#include <cstdint>
#include <vector>

#include "duckdb.hpp"

namespace smallpond {

struct BucketRows {
  std::vector<int32_t> of;        //!< each row's bucket, by position in the chunk
  duckdb::SelectionVector order;  //!< positions grouped by bucket, in chunk order within each

  //! Groups the rows of chunk by its INTEGER column `column`, whose values must be in [0, n).
  //! Throws InternalError for any other value (NULL included): the callers' bucket expressions
  //! are built to give only those.
  void group(duckdb::DataChunk& chunk, duckdb::idx_t column, int n);

  //! The bucket of the rows at order[start], and the end of their run: calls
  //! f(bucket, start, end) for each run in turn.
  template <typename F>
  void for_each_run(duckdb::idx_t count, F&& f) const {
    for (duckdb::idx_t start = 0; start < count;) {
      const int b = of[order.get_index(start)];
      duckdb::idx_t end = start;
      while (end < count && of[order.get_index(end)] == b) end++;
      f(b, start, end);
      start = end;
    }
  }
};

}  // namespace smallpond
