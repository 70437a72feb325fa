// The range partition's pieces in the engine (engine/range_partition_internal.h): the sample
// is the same every time and weighs what it stands for; the range function puts a row where
// counting the boundaries below it in SQL puts it.

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::TempDir;

// Keys with heavy duplicates ('k7' in 60% of the rows) of a file with many row groups, which
// several threads read at once; `order`: the rows in another order. `others`: how many other
// keys there are. With few, every sampled key is among those the sample keeps on its first
// read; with many, the frequent key's is not, and the sample reads the input again for it.
std::string keys_of(const TempDir& dir, int others, const std::string& order = "") {
  return "SELECT create_sort_key(CASE WHEN i % 10 < 6 THEN 'k7' ELSE 'k' || (i % " +
         std::to_string(others) +
         ") END, 'ASC NULLS LAST', ''::BLOB, 'ASC NULLS LAST') AS key FROM (SELECT * FROM '" +
         dir / "in.parquet" + "' " + order + ")";
}

TEST(RangeSample, TheSameRowsWhateverTheThreadsAndTheOrder) {
  TempDir dir;
  Engine engine(/*preserve_order=*/false);
  engine.connect()->execute("COPY (SELECT i FROM range(30000) t(i)) TO '" + dir / "in.parquet" +
                            "' (FORMAT parquet, ROW_GROUP_SIZE 2048)");
  for (int others : {50, 20000}) {
    SCOPED_TRACE("other keys: " + std::to_string(others));
    std::vector<std::vector<std::vector<Value>>> samples;
    for (int threads : {1, 4, 1, 2}) {
      EngineLimits limits;
      limits.threads = threads;
      auto con = engine.connect(limits);
      const std::string kKeys = keys_of(dir, others,
                                        samples.size() == 3   ? "ORDER BY hash(i)"
                                        : samples.size() == 2 ? "ORDER BY i DESC"
                                                              : "");
      std::string path = dir / ("sample-" + std::to_string(samples.size()) + ".parquet");
      EXPECT_EQ(con->write_range_sample(kKeys, 500, 3, 1000, -1, path), 500);
      Table t =
          con->query("SELECT hex(key), tie::VARCHAR, weight FROM '" + path + "' ORDER BY ALL");
      ASSERT_EQ(t.num_rows(), 500u);
      for (auto& row : t.rows) EXPECT_EQ(row[2].as_int(), 30000 * 1000 / 500);
      // Every sampled key is a key of the input.
      EXPECT_EQ(con->query_int("SELECT count(*) FROM '" + path +
                               "' WHERE key NOT IN (SELECT key "
                               "FROM (" +
                               kKeys + "))"),
                0);
      // The frequent key is about as frequent in the sample (60% of 500, give or take).
      int64_t frequent = con->query_int("SELECT count(*) FROM '" + path +
                                        "' WHERE key = create_sort_key('k7', 'ASC NULLS LAST', "
                                        "''::BLOB, 'ASC NULLS LAST')");
      EXPECT_GT(frequent, 240);
      EXPECT_LT(frequent, 360);
      // No pair twice: a key is sampled at most as often as it occurs.
      EXPECT_EQ(con->query_int("SELECT count(*) FROM (SELECT key, count(*) AS n FROM '" + path +
                               "' GROUP BY key) s JOIN (SELECT key, count(*) AS n FROM (" + kKeys +
                               ") GROUP BY key) k USING (key) WHERE s.n > k.n"),
                0);
      samples.push_back(t.rows);
    }
    EXPECT_EQ(samples[0], samples[1]);
    EXPECT_EQ(samples[0], samples[2]);
    EXPECT_EQ(samples[0], samples[3]);
    // Another salt, another sample.
    auto con = engine.connect();
    con->write_range_sample(keys_of(dir, others), 500, 4, 1000, -1, dir / "other.parquet");
    Table other = con->query("SELECT hex(key), tie::VARCHAR, weight FROM '" +
                             dir / "other.parquet" + "' ORDER BY ALL");
    EXPECT_NE(other.rows, samples[0]);
  }
}

TEST(RangeSample, RowsTooManyToHoldGiveTheSameSample) {
  // Each row's key hash is held in memory up to a 64th of DuckDB's memory limit; beyond that,
  // DuckDB counts the keys. 1.2M rows, a limit of 64 MB (1M hashes): the same sample.
  TempDir dir;
  Engine engine;
  engine.connect()->execute("COPY (SELECT i FROM range(1200000) t(i)) TO '" + dir / "in.parquet" +
                            "' (FORMAT parquet)");
  std::vector<std::vector<std::vector<Value>>> samples;
  for (int64_t memory : {int64_t(4) << 30, int64_t(64) << 20}) {
    EngineLimits limits;
    limits.memory_limit = memory;
    auto con = engine.connect(limits);
    std::string path = dir / ("sample-" + std::to_string(memory) + ".parquet");
    EXPECT_EQ(con->write_range_sample(keys_of(dir, 300000), 2000, 5, 1000, -1, path), 2000);
    samples.push_back(
        con->query("SELECT hex(key), tie::VARCHAR, weight FROM '" + path + "' ORDER BY ALL").rows);
    EXPECT_EQ(samples.back()[0][2].as_int(), 1200000 * 1000 / 2000);
  }
  EXPECT_EQ(samples[0], samples[1]);
}

TEST(RangeSample, FewerRowsThanSamplesKeepsThemAll) {
  TempDir dir;
  Engine engine;
  auto con = engine.connect();
  std::string keys =
      "SELECT create_sort_key(i, 'ASC NULLS LAST', ''::BLOB, 'ASC NULLS LAST') "
      "AS key FROM range(7) t(i)";
  EXPECT_EQ(con->write_range_sample(keys, 100, 0, 1000, -1, dir / "s.parquet"), 7);
  EXPECT_EQ(con->query_int("SELECT count(DISTINCT key) FROM '" + dir / "s.parquet" + "'"), 7);
  EXPECT_EQ(con->query_int("SELECT min(weight) FROM '" + dir / "s.parquet" + "'"), 1000);
  // Standing for ten times the rows read, each sample weighs ten times as much.
  EXPECT_EQ(con->write_range_sample(keys, 100, 0, 1000, 70, dir / "s10.parquet"), 7);
  EXPECT_EQ(con->query_int("SELECT min(weight) FROM '" + dir / "s10.parquet" + "'"), 10000);
  EXPECT_EQ(con->query_int("SELECT max(weight) FROM '" + dir / "s10.parquet" + "'"), 10000);
  EXPECT_EQ(con->write_range_sample(keys + " WHERE false", 100, 0, 1000, -1, dir / "e.parquet"), 0);
  EXPECT_EQ(con->query_int("SELECT count(*) FROM '" + dir / "e.parquet" + "'"), 0);
}

TEST(RangeFunction, CountsTheBoundariesBelowTheKeyAndTheRowsHash) {
  Engine engine;
  auto con = engine.connect();
  // Rows (a, b) with few distinct a; boundaries on a's keys, several on the frequent key
  // with different ties, one between keys, one below and one above all.
  const std::string rows = "SELECT (i % 4)::INTEGER AS a, i AS b FROM range(5000) t(i)";
  auto key_of = [&](const std::string& expr) {
    Table t = con->query("SELECT hex(create_sort_key(" + expr +
                         ", 'ASC NULLS LAST', ''::BLOB, 'ASC NULLS LAST'))");
    std::string hex = t.rows[0][0].as_string(), bytes;
    for (size_t i = 0; i < hex.size(); i += 2)
      bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return bytes;
  };
  std::vector<Engine::RangeBoundary> bounds = {{key_of("1::INTEGER"), 1ULL << 62},
                                               {key_of("1::INTEGER"), 1ULL << 63},
                                               {key_of("1::INTEGER"), (1ULL << 63) + 12345},
                                               {key_of("2::INTEGER"), 0},
                                               {key_of("-5::INTEGER"), 77},
                                               {key_of("9::INTEGER"), 5}};
  engine.register_range_function("range_of", bounds);
  std::string values;
  for (auto& b : bounds) {
    std::string hex;
    for (unsigned char c : b.key) {
      char buf[3];
      std::snprintf(buf, sizeof buf, "%02X", c);
      hex += buf;
    }
    values += std::string(values.empty() ? "" : ", ") + "(unhex('" + hex + "'), " +
              std::to_string(b.tie) + "::UBIGINT)";
  }
  std::string key = "create_sort_key(a, 'ASC NULLS LAST', ''::BLOB, 'ASC NULLS LAST')";
  // The expected range counts, in SQL, the boundaries <= (key, hash of the row as a STRUCT):
  // the function, given the row's columns, hashes them as one.
  int64_t wrong = con->query_int(
      "WITH bounds(key, tie) AS (VALUES " + values + "), ranged AS (SELECT " + key +
      " AS key, hash(r) AS tie, range_of(" + key + ", a, b) AS got FROM (" + rows +
      ") AS r) SELECT count(*) FROM ranged WHERE got != (SELECT count(*) FROM bounds b "
      "WHERE b.key < ranged.key OR (b.key = ranged.key AND b.tie <= ranged.tie))");
  EXPECT_EQ(wrong, 0);
  // The frequent key 1 is spread over the ranges that its ties reach: below 2^62, below 2^63,
  // and above 2^63 + 12345 (the range between the last two is too narrow to be hit).
  EXPECT_EQ(con->query_int("SELECT count(DISTINCT range_of(" + key + ", *COLUMNS(*))) FROM (" +
                           rows + ") AS r WHERE a = 1"),
            3);
}

}  // namespace
}  // namespace smallpond
