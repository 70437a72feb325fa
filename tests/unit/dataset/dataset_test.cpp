#include "dataset/dataset.h"

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "io/filesystem.h"
#include "support/test_env.h"

namespace smallpond {

static DataSet prices() {
  DataSet ds;
  for (auto& f : expand_path(testing::small_prices_dir(), ".parquet"))
    ds.files.push_back({f.path, 0, -1});
  return ds;
}

static int64_t count(const DataSet& ds) {
  return testing::duckdb_query("SELECT count(*) FROM (" + ds.sql() + ")").rows[0][0].as_int();
}

TEST(DataSet, WholeFilesReadEveryRow) {
  DataSet ds = prices();
  ASSERT_EQ(ds.files.size(), 6u);
  EXPECT_EQ(count(ds), testing::kSmallPricesRows);
}

TEST(DataSet, RowRangesSelectExactlyThoseRows) {
  DataSet all = prices();
  DataSet ds = all;
  ds.files = {{all.files[0].path, 100, 200}, {all.files[1].path, 5, -1}};
  int64_t file_rows = testing::kSmallPricesRows / 6;
  EXPECT_EQ(count(ds), 100 + file_rows - 5);
  // The slice holds the same rows as DuckDB's own file_row_number filter.
  DataSet slice;
  slice.files = {{all.files[0].path, 100, 200}};
  Table got = testing::sorted(
      testing::duckdb_query("SELECT ticker, date, price FROM (" + slice.sql() + ")"));
  Table want = testing::sorted(
      testing::duckdb_query("SELECT ticker, date, price FROM read_parquet('" + all.files[0].path +
                            "', file_row_number=true) WHERE file_row_number BETWEEN 100 AND 199"));
  EXPECT_EQ(got.rows, want.rows);
}

TEST(DataSet, ColumnsProjectAndEmptyKeepsSchema) {
  DataSet ds = prices();
  ds.columns = {"price", "ticker"};
  Table t = testing::duckdb_query(ds.sql() + " LIMIT 1");
  EXPECT_EQ(t.column_names, (std::vector<std::string>{"price", "ticker"}));
  DataSet empty = prices();
  empty.schema_file = empty.files[0].path;
  empty.files.clear();
  Table e = testing::duckdb_query(empty.sql());
  EXPECT_EQ(e.num_rows(), 0u);
  EXPECT_EQ(e.column_names, (std::vector<std::string>{"ticker", "date", "price", "volume"}));
  DataSet unknown;
  EXPECT_THROW(unknown.sql(), InvalidInputError);  // not retried: it cannot go away
}

TEST(DataSet, CsvAndJsonWithSchema) {
  testing::TempDir dir;
  testing::write_text(dir / "a.csv", "1;x\n2;y\n");
  testing::write_text(dir / "b.json", "{\"k\": 1, \"v\": \"x\"}\n{\"k\": 3, \"v\": \"z\"}\n");
  DataSet csv;
  csv.format = FileFormat::Csv;
  csv.delimiter = ";";
  csv.schema = {{"k", "BIGINT"}, {"v", "VARCHAR"}};
  csv.files = {{dir / "a.csv", 0, -1}};
  Table t = testing::duckdb_query(csv.sql() + " ORDER BY k");
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.rows[1][1].as_string(), "y");
  DataSet json;
  json.format = FileFormat::Json;
  json.files = {{dir / "b.json", 0, -1}};
  EXPECT_EQ(testing::duckdb_query("SELECT sum(k) FROM (" + json.sql() + ")").rows[0][0].as_double(),
            4);
}

TEST(DataSet, JsonRoundTripAndRelativePaths) {
  DataSet ds;
  ds.format = FileFormat::Csv;
  ds.files = {{"/job/data/x/a.parquet", 0, -1}, {"/job/data/x/b.parquet", 3, 9}};
  ds.schema = {{"a", "INT"}};
  ds.header = true;
  ds.delimiter = "|";
  ds.schema_file = "/job/data/x/a.parquet";
  DataSet back = DataSet::from_json(ds.to_json());
  EXPECT_EQ(back.to_json(), ds.to_json());
  DataSet rel = ds.relative_to("/job/data");
  EXPECT_EQ(rel.files[0].path, "x/a.parquet");
  EXPECT_EQ(rel.resolved_against("/other").files[1].path, "/other/x/b.parquet");
  EXPECT_EQ(rel.resolved_against("/job/data").to_json(), ds.to_json());
}

// write_json (the step index's way of writing a million files) writes exactly to_json's text.
TEST(DataSet, WrittenJsonIsItsDump) {
  auto written = [](const DataSet& ds) {
    std::string out;
    int pieces = 0;
    ds.write_json([&](std::string_view piece) {
      out += piece;
      pieces++;
    });
    return std::make_pair(out, pieces);
  };
  DataSet csv;
  csv.format = FileFormat::Csv;
  csv.files = {{"/d/a.csv", 0, -1},
               {"/d/b.csv", 3, 9, "12:00000000000000ab"},
               {"/d/c \"q\".csv", 0, -1, "7:00000000000000cd@5"}};
  csv.columns = {"files\":[]", "\"files\":[]", "x"};  // the splice's marker inside strings
  csv.schema = {{"a", "INT"}};
  csv.header = true;
  csv.delimiter = "|";
  csv.schema_file = "/d/a.csv";
  DataSet memory = DataSet::in_memory_table("t");
  DataSet empty;
  DataSet many;
  for (int i = 0; i < 20000; i++)
    many.files.push_back(
        {"/data/part-" + std::to_string(i) + ".parquet", 0, -1, "810:00000000000000ff@1"});
  for (const DataSet* ds : {&csv, &memory, &empty, &many})
    EXPECT_EQ(written(*ds).first, ds->to_json().dump());
  EXPECT_GT(written(many).second, 3) << "a large list goes in pieces";
  EXPECT_EQ(DataSet::from_json(Json::parse(written(csv).first)).to_json(), csv.to_json());
}

// Chunk files (a shuffle's buckets for later tasks): read whole by the engine's table function,
// never together with files of another format.
TEST(DataSet, ChunkFilesAreReadWholeAndAlone) {
  DataSet ds = DataSet::concat(
      {DataSet::chunk_files({}, "/job/a/schema.chunks"),
       DataSet::chunk_files({"/job/b/0.chunks", "/job/c/0.chunks"}, "/job/b/0.chunks")});
  EXPECT_EQ(ds.sql(), "SELECT * FROM __smallpond_chunks(['/job/b/0.chunks', '/job/c/0.chunks'])");
  EXPECT_EQ(DataSet::chunk_files({}, "/job/a/schema.chunks").sql(),
            "SELECT * FROM (SELECT * FROM __smallpond_chunks(['/job/a/schema.chunks'])) LIMIT 0");
  DataSet back = DataSet::from_json(ds.relative_to("/job").to_json());
  EXPECT_EQ(back.format, FileFormat::Chunks);
  EXPECT_EQ(back.resolved_against("/job").to_json(), ds.to_json());
  EXPECT_THROW(DataSet::concat({ds, DataSet::parquet_files({"/job/d.parquet"}, "")}),
               InternalError);
  DataSet ranged = ds;
  ranged.files[0].end = 10;
  EXPECT_THROW(ranged.sql(), InternalError);
}

// An in-memory table is a slice of its own kind, not a path: it has no file to read, relocate
// or check, and it travels by name only (who holds it is the scheduler's business).
TEST(DataSet, InMemoryTablesAreTypedSlicesThatKeepTheirNames) {
  DataSet ds = DataSet::concat({DataSet::in_memory_table("__mem_a"),
                                DataSet::parquet_files({"/job/data/x/b.parquet"}, ""),
                                DataSet::in_memory_table("__mem_c")});
  ASSERT_EQ(ds.files.size(), 3u);
  EXPECT_TRUE(ds.files[0].in_memory());
  EXPECT_TRUE(ds.files[0].path.empty());
  EXPECT_FALSE(ds.files[1].in_memory());
  EXPECT_EQ(ds.schema_table, "__mem_a");
  EXPECT_EQ(ds.memory_tables(), (std::vector<std::string>{"__mem_a", "__mem_c"}));
  DataSet back = DataSet::from_json(ds.relative_to("/job/data").to_json());
  EXPECT_EQ(back.files[0], FileSlice::in_memory_table("__mem_a"));
  EXPECT_EQ(back.files[1].path, "x/b.parquet");
  EXPECT_EQ(back.resolved_against("/job/data").to_json(), ds.to_json());
  EXPECT_NE(ds.sql().find("__smallpond_memory(['__mem_a', '__mem_c'])"), std::string::npos)
      << ds.sql();
  // An empty part of it reads its columns from the table.
  DataSet empty = DataSet::in_memory_table("__mem_a").without_files();
  EXPECT_TRUE(empty.schema_known());
  EXPECT_NE(empty.sql().find("__smallpond_memory(['__mem_a']) LIMIT 0"), std::string::npos)
      << empty.sql();
}

}  // namespace smallpond
