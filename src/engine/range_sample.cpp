// The sample of a range partition's sort keys (engine/range_partition_internal.h).
//
// The j-th row (j < m) of a key K seen m times is the pair (K, j): the pairs are the same
// whatever order the rows come in (an input recomputed after a failure may come in another),
// so the pairs that hash lowest are the same sample every time.
//
// How, in one pass and without a GROUP BY of every key (which cost three quarters of a sample
// task): each row's salted key hash is kept (8 bytes a row, twice that while sorted) and sorted
// afterwards, which counts the rows of every key; the key's bytes are kept only for the keys whose
// first pair hashes lowest, and those hold the whole sample when keys are distinct. A sample that
// needs the key of some other (repeated) key reads the input a second time for those keys only.

#include <algorithm>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "common/strings.h"
#include "duckdb/common/types/hash.hpp"
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

// The hash of the pair (K, j), from K's salted hash.
uint64_t pair_hash(uint64_t key_hash, uint64_t j) {
  return mix64(key_hash + j * 0x9e3779b97f4a7c15ULL);
}

// Sorts 64-bit hashes: one pass spreads them by their top bits into buckets of about 16,
// then each bucket is sorted on its own (hashes are uniform; a key's repeated hash stays in
// one bucket, which std::sort handles in n log n whatever it holds).
void sort_hashes(std::vector<uint64_t>& values) {
  int bits = 0;
  while (bits < 20 && (size_t{16} << bits) < values.size()) bits++;
  if (bits == 0) return std::sort(values.begin(), values.end());
  const size_t buckets = size_t{1} << bits;
  std::vector<size_t> starts(buckets + 1, 0);
  for (uint64_t v : values) starts[(v >> (64 - bits)) + 1]++;
  for (size_t b = 0; b < buckets; b++) starts[b + 1] += starts[b];
  std::vector<uint64_t> sorted(values.size());
  std::vector<size_t> next(starts.begin(), starts.end() - 1);
  for (uint64_t v : values) sorted[next[v >> (64 - bits)]++] = v;
  for (size_t b = 0; b < buckets; b++)
    std::sort(sorted.begin() + starts[b], sorted.begin() + starts[b + 1]);
  values.swap(sorted);
}

// Streams the rows of `sql` (one BLOB column) to `row(key, key_hash)`.
template <typename Row>
void for_each_key(duckdb::Connection& con, const std::string& sql, uint64_t salt_hash, Row&& row) {
  auto result = con.SendQuery(sql);
  if (result->HasError()) result->ThrowError();
  if (result->types.size() != 1 || result->types[0] != duckdb::LogicalType::BLOB)
    throw InternalError("a range sample reads one BLOB column");
  while (true) {
    auto chunk = result->Fetch();
    if (result->HasError()) result->ThrowError();
    if (!chunk || chunk->size() == 0) break;
    duckdb::UnifiedVectorFormat keys;
    chunk->data[0].ToUnifiedFormat(chunk->size(), keys);
    auto key_data = duckdb::UnifiedVectorFormat::GetData<duckdb::string_t>(keys);
    for (duckdb::idx_t i = 0; i < chunk->size(); i++) {
      auto idx = keys.sel->get_index(i);
      if (!keys.validity.RowIsValid(idx)) throw InternalError("a sort key is NULL");
      std::string_view key(key_data[idx].GetData(), key_data[idx].GetSize());
      row(key, duckdb::Hash(key.data(), key.size()) ^ salt_hash);
    }
  }
}

// Keeps the key of a hash; of two keys with one hash (a collision), the least, whatever
// order they come in.
void keep_key(std::string& kept, std::string_view key, bool first) {
  if (first || key < std::string_view(kept)) kept.assign(key);
}

}  // namespace

int64_t write_range_sample(duckdb::Connection& con, MemoryTables& memory, const std::string& sql,
                           int64_t samples, uint64_t salt, int64_t scale, int64_t input_rows,
                           const std::string& path) {
  const uint64_t salt_hash = mix64(salt);
  // Every row's key hash, and the keys of the `capture` distinct hashes whose pair (K, 0)
  // hashes lowest: every sampled pair of a key seen once is among them.
  const size_t capture = static_cast<size_t>(std::max<int64_t>(samples, 0)) * 2;
  std::vector<uint64_t> hashes;
  std::priority_queue<std::pair<uint64_t, uint64_t>> lowest;  // (hash of (K, 0), K's hash)
  std::unordered_map<uint64_t, std::string> keys;             // of the hashes in `lowest`
  for_each_key(con, sql, salt_hash, [&](std::string_view key, uint64_t key_hash) {
    hashes.push_back(key_hash);
    if (capture == 0) return;
    const uint64_t first = pair_hash(key_hash, 0);
    if (lowest.size() >= capture && first > lowest.top().first) return;
    auto [it, added] = keys.try_emplace(key_hash);
    keep_key(it->second, key, added);
    if (!added) return;
    lowest.emplace(first, key_hash);
    if (lowest.size() > capture) {
      keys.erase(lowest.top().second);
      lowest.pop();
    }
  });
  const uint64_t rows = input_rows >= 0 ? static_cast<uint64_t>(input_rows) : hashes.size();

  // Sorted, the rows of one key are side by side: m of them make the pairs (K, 0..m-1).
  struct Pair {
    uint64_t order;  // the pair's hash: the lowest are kept
    uint64_t key_hash;
    uint64_t tie;
    bool operator<(const Pair& o) const {
      return order != o.order         ? order < o.order
             : key_hash != o.key_hash ? key_hash < o.key_hash
                                      : tie < o.tie;
    }
  };
  std::priority_queue<Pair> kept;  // the largest order on top
  sort_hashes(hashes);
  for (size_t i = 0; i < hashes.size();) {
    const uint64_t key_hash = hashes[i];
    size_t m = 0;
    while (i < hashes.size() && hashes[i] == key_hash) i++, m++;
    for (uint64_t j = 0; j < m; j++) {
      const uint64_t order = pair_hash(key_hash, j);
      if (static_cast<int64_t>(kept.size()) >= samples && !(order < kept.top().order)) continue;
      kept.push({order, key_hash, mix64(order ^ 0xd6e8feb86659fd93ULL)});
      if (static_cast<int64_t>(kept.size()) > samples) kept.pop();
    }
  }
  std::vector<uint64_t>().swap(hashes);

  // The keys of sampled pairs of repeated keys that were not kept on the way: a second read.
  std::unordered_set<uint64_t> missing;
  for (auto copy = kept; !copy.empty(); copy.pop())
    if (!keys.count(copy.top().key_hash)) missing.insert(copy.top().key_hash);
  if (!missing.empty()) {
    for_each_key(con, sql, salt_hash, [&](std::string_view key, uint64_t key_hash) {
      if (!missing.count(key_hash)) return;
      auto [it, added] = keys.try_emplace(key_hash);
      keep_key(it->second, key, added);
    });
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
  for (; !kept.empty(); kept.pop()) {
    const Pair& p = kept.top();
    auto key = keys.find(p.key_hash);
    if (key == keys.end()) throw InternalError("a sampled sort key was not read again");
    duckdb::idx_t row = chunk.size();
    duckdb::FlatVector::GetData<duckdb::string_t>(chunk.data[0])[row] =
        duckdb::StringVector::AddStringOrBlob(chunk.data[0], key->second.data(),
                                              key->second.size());
    duckdb::FlatVector::GetData<uint64_t>(chunk.data[1])[row] = p.tie;
    duckdb::FlatVector::GetData<int64_t>(chunk.data[2])[row] = weight;
    chunk.SetCardinality(row + 1);
    if (chunk.size() == STANDARD_VECTOR_SIZE) flush();
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
