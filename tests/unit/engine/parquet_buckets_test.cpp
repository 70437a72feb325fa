// Parquet buckets (engine/parquet_buckets_internal.h): each bucket's file holds exactly the rows
// of that bucket, with the columns and types that DuckDB's own `FORMAT parquet` writes for them.
// The truth is a plain Parquet file of the same query, written by DuckDB and filtered by bucket.

#include <gtest/gtest.h>

#include "common/strings.h"
#include "engine/engine.h"
#include "io/filesystem.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::TempDir;

// Rows of many types, with NULLs and non-ASCII strings, types Parquet cannot hold as they are
// (BIT, HUGEINT, UNION), and nested ones; `b` is each row's bucket, 7 of 8 get rows.
const char* kRows =
    "SELECT i, CASE WHEN i % 5 = 0 THEN NULL ELSE 'v' || i END AS s, "
    "repeat('çé☃', i % 7) AS u, ('\\xAA\\x00'::BLOB || i::VARCHAR::BLOB) AS bl, "
    "DATE '2020-01-01' + i::INTEGER AS dt, (i * 1.125)::DECIMAL(18, 3) AS dec, "
    "(i::HUGEINT << 70) AS huge, to_days(i::INTEGER) AS iv, "
    "CASE WHEN i % 2 = 0 THEN '101'::BIT ELSE '0'::BIT END AS bits, "
    "union_value(n := i::INTEGER)::UNION(n INTEGER, t VARCHAR) AS un, "
    "CASE WHEN i % 4 = 0 THEN NULL ELSE [i, NULL] END AS l, {'a': i, 'b': 'x' || i} AS st, "
    "(i % 7)::INTEGER AS b FROM range(30000) t(i)";

std::string parquet_of(const std::string& path) {
  return "SELECT * FROM read_parquet(" + sql_string(path) + ")";
}

// The files of `written` hold what `truth` (a Parquet file of the rows, with b) holds, bucket by
// bucket, under the same column names and types.
void expect_buckets(EngineConnection& con, const BucketFiles& written, const std::string& truth,
                    int n) {
  ASSERT_EQ(written.files.size(), size_t(n));
  for (int k = 0; k < n; k++) {
    std::string expected = "SELECT * EXCLUDE (b) FROM read_parquet(" + sql_string(truth) +
                           ") WHERE b = " + std::to_string(k);
    int64_t want = con.query_int("SELECT count(*) FROM (" + expected + ")");
    if (want == 0) {
      EXPECT_TRUE(written.files[k].empty()) << "bucket " << k;
      continue;
    }
    ASSERT_FALSE(written.files[k].empty()) << "bucket " << k;
    std::string got = parquet_of(written.files[k]);
    EXPECT_EQ(con.query_int("SELECT count(*) FROM (" + got + ")"), want) << "bucket " << k;
    EXPECT_EQ(con.query_int("SELECT count(*) FROM (" + got + " EXCEPT ALL " + expected + ")"), 0)
        << "bucket " << k;
    EXPECT_EQ(con.query_int("SELECT count(*) FROM (" + expected + " EXCEPT ALL " + got + ")"), 0)
        << "bucket " << k;
    EXPECT_EQ(con.query("DESCRIBE " + got).rows, con.query("DESCRIBE " + expected).rows)
        << "bucket " << k;
  }
}

TEST(ParquetBuckets, EachBucketHoldsItsRowsAsFormatParquetWritesThem) {
  TempDir dir;
  Engine engine(/*preserve_order=*/false);
  auto con = engine.connect();
  std::string truth = dir / "truth.parquet";
  con->query_int("COPY (" + std::string(kRows) + ") TO " + sql_string(truth) + " (FORMAT parquet)");
  // One thread and four; with small row groups, and with threads handing their buffers over
  // many times (a low flush threshold), which is where rows could be lost or repeated.
  for (const char* threads : {"1", "4"}) {
    for (bool small : {false, true}) {
      SCOPED_TRACE(std::string("threads ") + threads + (small ? ", small buffers" : ""));
      con->execute(std::string("SET threads = ") + threads);
      con->execute(small ? "SET partitioned_write_flush_threshold = 3000"
                         : "RESET partitioned_write_flush_threshold");
      std::string out = dir / (std::string("out-") + threads + (small ? "-small" : ""));
      make_dirs(out);
      BucketFiles written =
          con->write_parquet_buckets(kRows, 8, out, small ? "ROW_GROUP_SIZE 2048" : "");
      EXPECT_EQ(written.rows, 30000);
      EXPECT_EQ(written.schema_file, written.files[0]);
      expect_buckets(*con, written, truth, 8);
      std::string metadata = "parquet_metadata(" + sql_string(out + "/*.parquet") + ")";
      EXPECT_GT(con->query_int("SELECT min(row_group_num_rows) FROM " + metadata), 0);
      if (small) {  // row groups as ROW_GROUP_SIZE asks, though each hand-over is smaller
        EXPECT_LE(con->query_int("SELECT max(row_group_num_rows) FROM " + metadata), 2048);
      }
    }
  }
}

TEST(ParquetBuckets, OptionsReachTheParquetWriter) {
  TempDir dir;
  Engine engine;
  auto con = engine.connect();
  std::string rows = "SELECT i, 'x' || i AS s, (i % 3)::INTEGER AS b FROM range(1000) t(i)";
  auto codecs = [&](const std::string& out) {
    Table t = con->query("SELECT DISTINCT compression FROM parquet_metadata(" +
                         sql_string(out + "/*.parquet") + ")");
    std::vector<std::string> names;
    for (auto& row : t.rows) names.push_back(row.at(0).as_string());
    return names;
  };
  make_dirs(dir / "default");
  con->write_parquet_buckets(rows, 3, dir / "default", "");
  EXPECT_EQ(codecs(dir / "default"), std::vector<std::string>{"SNAPPY"});
  make_dirs(dir / "zstd");
  con->write_parquet_buckets(rows, 3, dir / "zstd", "COMPRESSION zstd");
  EXPECT_EQ(codecs(dir / "zstd"), std::vector<std::string>{"ZSTD"});
  // An option the Parquet writer does not know is its error, by name.
  make_dirs(dir / "bad");
  try {
    con->write_parquet_buckets(rows, 3, dir / "bad", "COMPRESSION nope");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("compression"), std::string::npos) << e.what();
  }
}

TEST(ParquetBuckets, NoRowsLeaveTheColumns) {
  TempDir dir;
  Engine engine;
  auto con = engine.connect();
  std::string rows = "SELECT i, 'x' AS s, '1'::BIT AS bits, 0 AS b FROM range(10) t(i) WHERE false";
  BucketFiles written = con->write_parquet_buckets(rows, 4, dir.path(), "");
  EXPECT_EQ(written.rows, 0);
  for (auto& f : written.files) EXPECT_TRUE(f.empty());
  ASSERT_FALSE(written.schema_file.empty());
  Table t = con->query(parquet_of(written.schema_file));
  EXPECT_EQ(t.num_rows(), 0u);
  EXPECT_EQ(t.column_names, (std::vector<std::string>{"i", "s", "bits"}));
  EXPECT_EQ(con->query("DESCRIBE " + parquet_of(written.schema_file)).rows.at(2).at(1).as_string(),
            "VARCHAR");  // as FORMAT parquet writes a BIT
}

TEST(ParquetBuckets, BadBucketsAreAnErrorAndTheDatabaseGoesOn) {
  TempDir dir;
  Engine engine;
  auto con = engine.connect();
  auto fails = [&](const std::string& rows, const std::string& words) {
    try {
      con->write_parquet_buckets(rows, 4, dir.path(), "");
      ADD_FAILURE() << "expected an error for " << rows;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  fails("SELECT i, (i % 5)::INTEGER AS b FROM range(10) t(i)", "bucket 4 is out of range 0-3");
  fails("SELECT i, NULL::INTEGER AS b FROM range(10) t(i)", "bucket -1 is out of range");
  fails("SELECT i FROM range(10) t(i)", "the last column must be an INTEGER bucket");
  make_dirs(dir / "after");
  EXPECT_EQ(con->write_parquet_buckets("SELECT i, (i % 4)::INTEGER AS b FROM range(10) t(i)", 4,
                                       dir / "after", "")
                .rows,
            10);
}

}  // namespace
}  // namespace smallpond
