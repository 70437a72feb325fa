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
// Rows too many to hold (beyond a 64th of DuckDB's memory limit) are counted by DuckDB instead,
// which may spill: the same sample, in one more read.

#include <algorithm>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "common/strings.h"
#include "duckdb/common/types/hash.hpp"
#include "duckdb/main/config.hpp"
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

// Streams the rows of `sql` (one BLOB column) to `row(key, key_hash)`, until it returns false.
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
      if (!row(key, duckdb::Hash(key.data(), key.size()) ^ salt_hash)) return;
    }
  }
}

// Keeps the key of a hash; of two keys with one hash (a collision), the least, whatever
// order they come in.
void keep_key(std::string& kept, std::string_view key, bool first) {
  if (first || key < std::string_view(kept)) kept.assign(key);
}

// The `samples` lowest pairs (K, j) of keys K seen m times each (j < m), by their hash.
class LowestPairs {
 public:
  struct Pair {
    uint64_t order;  // the pair's hash
    uint64_t key_hash;
    uint64_t tie;
    bool operator<(const Pair& o) const {
      return order != o.order         ? order < o.order
             : key_hash != o.key_hash ? key_hash < o.key_hash
                                      : tie < o.tie;
    }
  };
  explicit LowestPairs(int64_t samples)
      : samples_(static_cast<size_t>(std::max<int64_t>(samples, 0))) {}
  void add_key(uint64_t key_hash, uint64_t m) {
    rows_ += m;
    if (samples_ == 0) return;
    for (uint64_t j = 0; j < m; j++) {
      const uint64_t order = pair_hash(key_hash, j);
      if (kept_.size() == samples_ && !(order <= kept_.top().order)) continue;
      Pair p{order, key_hash, mix64(order ^ 0xd6e8feb86659fd93ULL)};
      if (kept_.size() < samples_) {
        kept_.push(p);
      } else if (p < kept_.top()) {
        kept_.pop();
        kept_.push(p);
      }
    }
  }
  uint64_t rows() const { return rows_; }
  //! The kept pairs, from the highest.
  std::priority_queue<Pair>& kept() { return kept_; }

 private:
  size_t samples_;
  uint64_t rows_ = 0;
  std::priority_queue<Pair> kept_;  // the highest on top
};

}  // namespace

int64_t write_range_sample(duckdb::Connection& con, MemoryTables& memory, const std::string& sql,
                           int64_t samples, uint64_t salt, int64_t scale, int64_t input_rows,
                           const std::string& path) {
  const uint64_t salt_hash = mix64(salt);
  // Every row's key hash, at most a 64th of the memory DuckDB may use (16 bytes a row while
  // sorted: a quarter), and the keys of the `capture` distinct hashes whose pair (K, 0)
  // hashes lowest: every sampled pair of a key seen once is among them.
  const size_t max_held = std::max<size_t>(
      size_t{1} << 16, duckdb::DBConfig::GetConfig(*con.context).options.maximum_memory / 64);
  const size_t capture = static_cast<size_t>(std::max<int64_t>(samples, 0)) * 2;
  std::vector<uint64_t> hashes;
  bool held = true;
  std::priority_queue<std::pair<uint64_t, uint64_t>> lowest;  // (hash of (K, 0), K's hash)
  std::unordered_map<uint64_t, std::string> keys;             // of the hashes in `lowest`
  for_each_key(con, sql, salt_hash, [&](std::string_view key, uint64_t key_hash) {
    if (hashes.size() == max_held) return held = false;
    hashes.push_back(key_hash);
    if (capture == 0) return true;
    const uint64_t first = pair_hash(key_hash, 0);
    if (lowest.size() >= capture && first > lowest.top().first) return true;
    auto [it, added] = keys.try_emplace(key_hash);
    keep_key(it->second, key, added);
    if (!added) return true;
    lowest.emplace(first, key_hash);
    if (lowest.size() > capture) {
      keys.erase(lowest.top().second);
      lowest.pop();
    }
    return true;
  });

  LowestPairs pairs(samples);
  if (held) {
    // Sorted, the rows of one key are side by side: m of them make the pairs (K, 0..m-1).
    sort_hashes(hashes);
    for (size_t i = 0; i < hashes.size();) {
      size_t first = i;
      while (i < hashes.size() && hashes[i] == hashes[first]) i++;
      pairs.add_key(hashes[first], i - first);
    }
  } else {
    // Too many rows to hold: DuckDB counts the rows of each key hash (spilling to disk if it
    // must; SQL's hash() of a BLOB is duckdb::Hash of its bytes), and every sampled key is
    // read again below.
    keys.clear();
    auto counts = con.SendQuery("SELECT xor(hash(key), " + std::to_string(salt_hash) +
                                "::UBIGINT), count(*)::UBIGINT FROM (" + sql + ") GROUP BY ALL");
    if (counts->HasError()) counts->ThrowError();
    while (true) {
      auto chunk = counts->Fetch();
      if (counts->HasError()) counts->ThrowError();
      if (!chunk || chunk->size() == 0) break;
      chunk->Flatten();
      auto key_hashes = duckdb::FlatVector::GetData<uint64_t>(chunk->data[0]);
      auto m = duckdb::FlatVector::GetData<uint64_t>(chunk->data[1]);
      for (duckdb::idx_t i = 0; i < chunk->size(); i++) pairs.add_key(key_hashes[i], m[i]);
    }
  }
  std::vector<uint64_t>().swap(hashes);
  const uint64_t rows = input_rows >= 0 ? static_cast<uint64_t>(input_rows) : pairs.rows();
  auto& kept = pairs.kept();

  // The keys of sampled pairs of repeated keys that were not kept on the way: a second read.
  std::unordered_set<uint64_t> missing;
  for (auto copy = kept; !copy.empty(); copy.pop())
    if (!keys.count(copy.top().key_hash)) missing.insert(copy.top().key_hash);
  if (!missing.empty()) {
    for_each_key(con, sql, salt_hash, [&](std::string_view key, uint64_t key_hash) {
      if (missing.count(key_hash)) {
        auto [it, added] = keys.try_emplace(key_hash);
        keep_key(it->second, key, added);
      }
      return true;
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
    const LowestPairs::Pair& p = kept.top();
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
