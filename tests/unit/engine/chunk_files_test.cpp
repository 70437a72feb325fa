// Chunk files (engine/chunk_files_internal.h): what a query writes into buckets reads back as
// exactly the rows of each bucket, checked by DuckDB against the query's own result.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>

#include "common/strings.h"
#include "engine/engine.h"
#include "io/filesystem.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::TempDir;

// Rows of many types, with NULLs, long and non-ASCII strings; `b` is each row's bucket.
const char* kFlatRows =
    "SELECT i::INTEGER AS i, (i * 1000003)::BIGINT AS big, i / 7.0 AS d, "
    "CASE WHEN i % 5 = 0 THEN NULL ELSE 'v' || i END AS s, "
    "CASE WHEN i % 3 = 0 THEN repeat('çé☃', i % 40) ELSE '' END AS long_s, "
    "('\\xAA\\x00'::BLOB || i::VARCHAR::BLOB) AS bl, DATE '2020-01-01' + i::INTEGER AS dt, "
    "TIMESTAMP '2021-01-01' + to_seconds(i) AS ts, (i * 1.125)::DECIMAL(18, 3) AS dec, "
    "(i::HUGEINT << 70) AS huge, i % 2 = 0 AS flag, to_days(i::INTEGER) AS iv, "
    "CASE WHEN i % 11 = 0 THEN NULL ELSE i END::SMALLINT AS small, "
    "(i % 7)::INTEGER AS b FROM range(20000) t(i)";

// Rows with nested types, which chunk files keep in DuckDB's own serialisation.
const char* kNestedRows =
    "SELECT i, CASE WHEN i % 4 = 0 THEN NULL ELSE [i, i + 1, NULL] END AS l, "
    "{'a': i, 'b': 'x' || i} AS st, MAP {'k': i} AS m, (i % 3)::INTEGER AS b "
    "FROM range(5000) t(i)";

// Every row of bucket k of `rows` is in `relation` as many times, and nothing else.
void expect_bucket(EngineConnection& con, const std::string& relation, const std::string& rows,
                   int k) {
  std::string expected = "SELECT * EXCLUDE (b) FROM (" + rows + ") WHERE b = " + std::to_string(k);
  EXPECT_EQ(con.query_int("SELECT count(*) FROM (" + relation + " EXCEPT ALL " + expected + ")"), 0)
      << "bucket " << k;
  EXPECT_EQ(con.query_int("SELECT count(*) FROM (" + expected + " EXCEPT ALL " + relation + ")"), 0)
      << "bucket " << k;
  Table got = con.query("DESCRIBE " + relation);
  Table want = con.query("DESCRIBE " + expected);
  ASSERT_EQ(got.num_rows(), want.num_rows());
  for (size_t c = 0; c < got.num_rows(); c++) {
    EXPECT_EQ(got.rows[c][0].as_string(), want.rows[c][0].as_string());
    EXPECT_EQ(got.rows[c][1].as_string(), want.rows[c][1].as_string());
  }
}

std::string scan_of(const std::vector<std::string>& files) {
  return "SELECT * FROM __smallpond_chunks(" + sql_string_list(files) + ")";
}

TEST(ChunkFiles, BucketsReadBackAsTheirRows) {
  TempDir dir;
  Engine engine;
  auto con = engine.connect();
  const int n = 8;  // bucket 7 gets no rows
  BucketFiles written = con->write_chunk_buckets(kFlatRows, n, dir.path());
  EXPECT_EQ(written.rows, 20000);
  ASSERT_EQ(written.files.size(), size_t(n));
  EXPECT_TRUE(written.files[7].empty());
  EXPECT_FALSE(written.schema_file.empty());
  for (int k = 0; k < 7; k++) {
    ASSERT_FALSE(written.files[k].empty()) << k;
    expect_bucket(*con, scan_of({written.files[k]}), kFlatRows, k);
  }
  // Several files are one relation.
  EXPECT_EQ(
      con->query_int("SELECT count(*) FROM (" +
                     scan_of({written.files[0], written.files[1], written.files[6]}) + ")"),
      con->query_int("SELECT count(*) FROM (" + std::string(kFlatRows) + ") WHERE b IN (0, 1, 6)"));
}

TEST(ChunkFiles, NestedTypesReadBack) {
  TempDir dir;
  Engine engine;
  auto con = engine.connect();
  BucketFiles written = con->write_chunk_buckets(kNestedRows, 3, dir.path());
  EXPECT_EQ(written.rows, 5000);
  for (int k = 0; k < 3; k++) expect_bucket(*con, scan_of({written.files[k]}), kNestedRows, k);
}

TEST(ChunkFiles, ManyBucketsAndLargeBuckets) {
  TempDir dir;
  Engine engine;
  auto con = engine.connect();
  // 3 000 buckets (grouped by a sort, not by counting) and one that holds 40 vectors of rows.
  std::string rows =
      "SELECT i, 'row ' || i AS s, (CASE WHEN i % 2 = 0 THEN 0 ELSE hash(i) % 3000 END)::INTEGER "
      "AS b FROM range(160000) t(i)";
  BucketFiles written = con->write_chunk_buckets(rows, 3000, dir.path());
  EXPECT_EQ(written.rows, 160000);
  int64_t total = 0;
  for (int k = 0; k < 3000; k++) {
    if (written.files[k].empty()) continue;
    total += con->query_int("SELECT count(*) FROM (" + scan_of({written.files[k]}) + ")");
  }
  EXPECT_EQ(total, 160000);
  for (int k : {0, 1, 1234, 2999})
    if (!written.files[k].empty()) expect_bucket(*con, scan_of({written.files[k]}), rows, k);
}

TEST(ChunkFiles, WideRowsAreWrittenInSmallerBlocks) {
  TempDir dir;
  Engine engine;
  auto con = engine.connect();
  // 20 KB a row into 1024 buckets (of which three get rows): a bucket's values pass its share
  // of the buffer (64 KiB) long before its rows fill a block, so each bucket has many blocks.
  std::string rows =
      "SELECT i, repeat(chr(65 + (i % 26)::INTEGER), 20000) || i AS s, (i % 3)::INTEGER AS b "
      "FROM range(3000) t(i)";
  BucketFiles written = con->write_chunk_buckets(rows, 1024, dir.path());
  EXPECT_EQ(written.rows, 3000);
  for (int k = 0; k < 3; k++) {
    std::string summary = "SELECT count(*), sum(hash(i, s)::HUGEINT)::VARCHAR FROM ";
    EXPECT_EQ(con->query(summary + "(" + scan_of({written.files[k]}) + ")").rows,
              con->query(summary + "(" + rows + ") WHERE b = " + std::to_string(k)).rows);
  }
}

TEST(ChunkFiles, NoRowsLeaveTheColumns) {
  TempDir dir;
  Engine engine;
  auto con = engine.connect();
  std::string rows = "SELECT i, 'x' AS s, 0 AS b FROM range(10) t(i) WHERE false";
  BucketFiles written = con->write_chunk_buckets(rows, 4, dir.path());
  EXPECT_EQ(written.rows, 0);
  for (auto& f : written.files) EXPECT_TRUE(f.empty());
  ASSERT_FALSE(written.schema_file.empty());
  Table t = con->query(scan_of({written.schema_file}));
  EXPECT_EQ(t.num_rows(), 0u);
  EXPECT_EQ(t.column_names, (std::vector<std::string>{"i", "s"}));
}

TEST(ChunkFiles, BucketsOutOfRangeAreAnError) {
  TempDir dir;
  Engine engine;
  auto con = engine.connect();
  EXPECT_THROW(con->write_chunk_buckets("SELECT i, (i % 5)::INTEGER AS b FROM range(10) t(i)", 4,
                                        dir.path()),
               Error);
  EXPECT_THROW(
      con->write_chunk_buckets("SELECT i, NULL::INTEGER AS b FROM range(10) t(i)", 4, dir / "none"),
      Error);
  // The database goes on: the writer's errors reach DuckDB as errors of the query alone.
  make_dirs(dir / "after");
  EXPECT_EQ(con->write_chunk_buckets("SELECT i, (i % 4)::INTEGER AS b FROM range(10) t(i)", 4,
                                     dir / "after")
                .rows,
            10);
  EXPECT_THROW(con->write_chunk_buckets("SELECT i FROM range(10) t(i)", 4, dir / "after"), Error);
}

TEST(ChunkFiles, DamagedFilesAreRefusedByName) {
  TempDir dir;
  Engine engine;
  auto con = engine.connect();
  BucketFiles written = con->write_chunk_buckets(
      "SELECT i, 'payload ' || i AS s, (i % 2)::INTEGER AS b FROM range(50000) t(i)", 2,
      dir.path());
  const std::string& file = written.files[0];
  std::string bytes = read_file(file);
  auto expect_refused = [&](const std::string& content, const std::string& why) {
    write_file(file, content);
    try {
      con->query("SELECT count(*) FROM (" + scan_of({file}) + ")");
      FAIL() << why;
    } catch (const EngineError& e) {
      EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
    }
  };
  expect_refused(bytes.substr(0, bytes.size() / 2), "cut in half");
  expect_refused(bytes.substr(0, bytes.size() - 1), "its last byte missing");
  expect_refused("", "emptied");
  expect_refused(std::string(bytes.size(), '\0'), "zeroed");
  // A zeroed block length (the file's size unchanged) would end the rows early: refused too.
  auto u64_at = [&](size_t at) {
    uint64_t v = 0;
    std::memcpy(&v, bytes.data() + at, 8);
    return v;
  };
  size_t first_block = 16 + u64_at(8);
  size_t second_block = first_block + 8 + u64_at(first_block);
  ASSERT_LT(second_block + 8, bytes.size() - 24);
  std::string torn = bytes;
  torn.replace(second_block, 8, 8, '\0');
  expect_refused(torn, "a block length zeroed");
  write_file(file, bytes);  // whole again
  EXPECT_EQ(con->query_int("SELECT count(*) FROM (" + scan_of({file}) + ")"), 25000);
}

TEST(ChunkFiles, TheSandboxAppliesToThem) {
  TempDir dir;
  Engine engine;
  BucketFiles written;
  {
    auto con = engine.connect();
    written = con->write_chunk_buckets("SELECT i, 0 AS b FROM range(10) t(i)", 1, dir.path());
  }
  EngineLimits limits;
  limits.sandbox = true;
  auto con = engine.connect(limits);
  EXPECT_THROW(con->query(scan_of({written.files[0]})), EngineError);
  limits.readable = {written.files[0]};
  con = engine.connect(limits);
  EXPECT_EQ(con->query(scan_of({written.files[0]})).num_rows(), 10u);
}

}  // namespace
}  // namespace smallpond
