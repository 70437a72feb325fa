#include <algorithm>
#include <queue>

#include "common/strings.h"
#include "duckdb/common/types/hash.hpp"
#include "duckdb/common/vector_operations/vector_operations.hpp"
#include "engine/memory_tables_internal.h"
#include "engine/range_partition_internal.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

// A bijection of 64-bit numbers whose outputs look random (splitmix64's finaliser).
uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

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
    duckdb::Vector rows(input.data[1], tied, n);
    duckdb::Vector hashes(duckdb::LogicalType::HASH, n);
    duckdb::VectorOperations::Hash(rows, hashes, n);
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
  fn.null_handling = duckdb::FunctionNullHandling::SPECIAL_HANDLING;  // a NULL row has a range
  return fn;
}

int64_t write_range_sample(duckdb::Connection& con, MemoryTables& memory, const std::string& sql,
                           int64_t samples, uint64_t salt, int64_t scale, const std::string& path) {
  // The j-th row (j < m) of a key K seen m times is the pair (K, j): the pairs are the same
  // whatever order the rows come in (an input recomputed after a failure may come in another),
  // so the rows whose pairs hash lowest are the same sample every time.
  struct Candidate {
    uint64_t order;  // the pair's hash: the lowest are kept
    uint64_t tie;
    std::string key;
    bool operator<(const Candidate& o) const {
      return order != o.order ? order < o.order : key != o.key ? key < o.key : tie < o.tie;
    }
  };
  std::priority_queue<Candidate> kept;  // the largest order on top
  const uint64_t salt_hash = mix64(salt);
  uint64_t rows = 0;
  auto result = con.SendQuery("SELECT key, count(*)::BIGINT FROM (" + sql + ") GROUP BY key");
  if (result->HasError()) result->ThrowError();
  if (result->types.size() != 2 || result->types[0] != duckdb::LogicalType::BLOB)
    throw InternalError("a range sample reads one BLOB column");
  while (true) {
    auto chunk = result->Fetch();
    if (result->HasError()) result->ThrowError();
    if (!chunk || chunk->size() == 0) break;
    duckdb::UnifiedVectorFormat keys, counts;
    chunk->data[0].ToUnifiedFormat(chunk->size(), keys);
    chunk->data[1].ToUnifiedFormat(chunk->size(), counts);
    auto key_data = duckdb::UnifiedVectorFormat::GetData<duckdb::string_t>(keys);
    auto count_data = duckdb::UnifiedVectorFormat::GetData<int64_t>(counts);
    for (duckdb::idx_t i = 0; i < chunk->size(); i++) {
      auto idx = keys.sel->get_index(i);
      if (!keys.validity.RowIsValid(idx)) throw InternalError("a sort key is NULL");
      const duckdb::string_t& key = key_data[idx];
      const uint64_t key_hash = duckdb::Hash(key.GetData(), key.GetSize()) ^ salt_hash;
      const int64_t m = count_data[counts.sel->get_index(i)];
      rows += static_cast<uint64_t>(m);
      for (int64_t j = 0; j < m; j++) {
        uint64_t h = mix64(key_hash + static_cast<uint64_t>(j) * 0x9e3779b97f4a7c15ULL);
        if (static_cast<int64_t>(kept.size()) >= samples && !(h < kept.top().order)) continue;
        kept.push({h, mix64(h ^ 0xd6e8feb86659fd93ULL), key.GetString()});
        if (static_cast<int64_t>(kept.size()) > samples) kept.pop();
      }
    }
  }
  // The kept rows as a Parquet file, through an in-memory table.
  duckdb::vector<duckdb::LogicalType> types = {
      duckdb::LogicalType::BLOB, duckdb::LogicalType::UBIGINT, duckdb::LogicalType::BIGINT};
  auto table =
      std::make_shared<MemoryTable>(duckdb::vector<std::string>{"key", "tie", "weight"}, types);
  const int64_t n = static_cast<int64_t>(kept.size());
  const int64_t weight =
      n == 0 ? 0 : static_cast<int64_t>((static_cast<__int128>(rows) * scale) / n);
  duckdb::DataChunk chunk;
  chunk.Initialize(duckdb::Allocator::DefaultAllocator(), types);
  auto flush = [&] {
    if (chunk.size() > 0) table->append(chunk);
    chunk.Reset();
  };
  while (!kept.empty()) {
    const Candidate& c = kept.top();
    duckdb::idx_t row = chunk.size();
    duckdb::FlatVector::GetData<duckdb::string_t>(chunk.data[0])[row] =
        duckdb::StringVector::AddStringOrBlob(chunk.data[0], c.key.data(), c.key.size());
    duckdb::FlatVector::GetData<uint64_t>(chunk.data[1])[row] = c.tie;
    duckdb::FlatVector::GetData<int64_t>(chunk.data[2])[row] = weight;
    chunk.SetCardinality(row + 1);
    if (chunk.size() == STANDARD_VECTOR_SIZE) flush();
    kept.pop();
  }
  flush();
  const std::string name = "__range_sample";
  memory.put(name, std::move(table));
  auto copied = con.Query("COPY (SELECT * FROM __smallpond_memory([" + sql_string(name) +
                          "])) TO " + sql_string(path) + " (FORMAT parquet)");
  memory.erase(name);
  if (copied->HasError()) copied->ThrowError();
  return n;
}

}  // namespace smallpond
