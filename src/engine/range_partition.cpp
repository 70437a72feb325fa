#include <algorithm>

#include "duckdb/common/vector_operations/vector_operations.hpp"
#include "engine/range_partition_internal.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

bool key_less(std::string_view a, std::string_view b) { return a < b; }  // bytewise, unsigned

}  // namespace

duckdb::ScalarFunction range_function(const std::string& name,
                                      std::vector<Engine::RangeBoundary> boundaries) {
  std::sort(boundaries.begin(), boundaries.end(), [](const auto& a, const auto& b) {
    return a.key != b.key ? key_less(a.key, b.key) : a.tie < b.tie;
  });
  auto bounds = std::make_shared<const std::vector<Engine::RangeBoundary>>(std::move(boundaries));
  duckdb::scalar_function_t body = [bounds](duckdb::DataChunk& input, duckdb::ExpressionState&,
                                            duckdb::Vector& result) {
    const duckdb::idx_t count = input.size();
    duckdb::UnifiedVectorFormat keys;
    input.data[0].ToUnifiedFormat(count, keys);
    auto key_data = duckdb::UnifiedVectorFormat::GetData<duckdb::string_t>(keys);
    result.SetVectorType(duckdb::VectorType::FLAT_VECTOR);
    auto out = duckdb::FlatVector::GetData<int32_t>(result);
    // Rows whose key equals a boundary's need their tie; the others' ranges follow from the key.
    duckdb::SelectionVector tied(count);
    std::vector<std::pair<uint32_t, uint32_t>> spans;  // the equal boundaries of each tied row
    const auto& b = *bounds;
    for (duckdb::idx_t i = 0; i < count; i++) {
      auto idx = keys.sel->get_index(i);
      if (!keys.validity.RowIsValid(idx)) throw InternalError("a sort key is NULL");
      std::string_view k(key_data[idx].GetData(), key_data[idx].GetSize());
      auto lo = std::lower_bound(b.begin(), b.end(), k, [](const auto& bound, std::string_view v) {
        return key_less(bound.key, v);
      });
      auto hi = std::upper_bound(lo, b.end(), k, [](std::string_view v, const auto& bound) {
        return key_less(v, bound.key);
      });
      out[i] = static_cast<int32_t>(lo - b.begin());
      if (hi != lo) {
        tied.set_index(spans.size(), i);
        spans.emplace_back(static_cast<uint32_t>(lo - b.begin()),
                           static_cast<uint32_t>(hi - b.begin()));
      }
    }
    if (spans.empty()) return;
    const duckdb::idx_t n = spans.size();
    // The row's hash as SQL's hash(column, ...) gives it, of the tied rows' columns only.
    duckdb::Vector hashes(duckdb::LogicalType::HASH, n);
    for (duckdb::idx_t c = 1; c < input.ColumnCount(); c++) {
      duckdb::Vector column(input.data[c], tied, n);
      if (c == 1)
        duckdb::VectorOperations::Hash(column, hashes, n);
      else
        duckdb::VectorOperations::CombineHash(hashes, column, n);
    }
    duckdb::UnifiedVectorFormat hash_format;
    hashes.ToUnifiedFormat(n, hash_format);
    auto hash_data = duckdb::UnifiedVectorFormat::GetData<duckdb::hash_t>(hash_format);
    for (duckdb::idx_t j = 0; j < n; j++) {
      uint64_t tie = hash_data[hash_format.sel->get_index(j)];
      auto first = b.begin() + spans[j].first, last = b.begin() + spans[j].second;
      auto above = std::upper_bound(first, last, tie,
                                    [](uint64_t t, const auto& bound) { return t < bound.tie; });
      out[tied.get_index(j)] = static_cast<int32_t>(above - b.begin());
    }
  };
  duckdb::ScalarFunction fn(name, {duckdb::LogicalType::BLOB, duckdb::LogicalType::ANY},
                            duckdb::LogicalType::INTEGER, body);
  fn.varargs = duckdb::LogicalType::ANY;
  fn.null_handling = duckdb::FunctionNullHandling::SPECIAL_HANDLING;  // a NULL row has a range
  return fn;
}

}  // namespace smallpond
