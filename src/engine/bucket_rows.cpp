#include <algorithm>
#include <string>

#include "engine/bucket_rows_internal.h"
#include "smallpond/error.h"

namespace smallpond {

void BucketRows::group(duckdb::DataChunk& chunk, duckdb::idx_t column, int n) {
  const duckdb::idx_t count = chunk.size();
  if (chunk.data[column].GetType().InternalType() != duckdb::PhysicalType::INT32)
    throw InternalError("a bucket column must be an INTEGER");
  duckdb::UnifiedVectorFormat format;
  chunk.data[column].ToUnifiedFormat(count, format);
  auto values = duckdb::UnifiedVectorFormat::GetData<int32_t>(format);
  of.resize(count);
  for (duckdb::idx_t i = 0; i < count; i++) {
    auto idx = format.sel->get_index(i);
    int32_t b = format.validity.RowIsValid(idx) ? values[idx] : -1;
    if (b < 0 || b >= n)
      throw InternalError("bucket " + std::to_string(b) + " is out of range 0-" +
                          std::to_string(n - 1));
    of[i] = b;
  }
  // A counting sort for a few buckets, a sort for many (whose counts would cost more than the
  // rows).
  order.Initialize(std::max<duckdb::idx_t>(count, 1));
  if (n <= 1024) {
    std::vector<uint32_t> next(static_cast<size_t>(n) + 1, 0);
    for (duckdb::idx_t i = 0; i < count; i++) next[of[i] + 1]++;
    for (int b = 0; b < n; b++) next[b + 1] += next[b];
    for (duckdb::idx_t i = 0; i < count; i++) order.set_index(next[of[i]]++, i);
  } else {
    std::vector<duckdb::sel_t> positions(count);
    for (duckdb::idx_t i = 0; i < count; i++) positions[i] = static_cast<duckdb::sel_t>(i);
    std::stable_sort(positions.begin(), positions.end(),
                     [&](duckdb::sel_t a, duckdb::sel_t b) { return of[a] < of[b]; });
    for (duckdb::idx_t i = 0; i < count; i++) order.set_index(i, positions[i]);
  }
}

}  // namespace smallpond
