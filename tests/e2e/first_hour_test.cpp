// What a new user meets in the first hour, each against DuckDB on the unpartitioned input.
#include <gtest/gtest.h>

#include "io/filesystem.h"
#include "smallpond/nodes.h"
#include "smallpond/smallpond.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::duckdb_query;
using testing::sorted;

class FirstHour : public ::testing::Test {
 protected:
  void SetUp() override {
    Options o;
    o.job_dir = dir / "job";
    o.executors = 2;  // 4 shuffle producers: a one-file source is split into mostly empty slices
    o.progress = false;
    sp = std::make_unique<Session>(init(o));
  }
  testing::TempDir dir;
  std::unique_ptr<Session> sp;
};

// A small lookup CSV (or JSON) file, hash-partitioned: the empty slices of the one file know
// its columns; the header is detected.
TEST_F(FirstHour, SmallCsvAndJsonSourcesHashRepartition) {
  testing::write_text(dir / "sectors.csv", "ticker,sector\nAAA,tech\nBBB,energy\nCCC,tech\n");
  testing::write_text(dir / "sectors.json",
                      "{\"ticker\": \"AAA\", \"sector\": \"tech\"}\n"
                      "{\"ticker\": \"BBB\", \"sector\": \"energy\"}\n");
  Table csv = sorted(sp->partial_sql("SELECT ticker, sector FROM {0}",
                                     sp->read_csv({dir / "sectors.csv"}).repartition(3, "ticker"))
                         .to_table());
  Table csv_truth =
      sorted(duckdb_query("SELECT ticker, sector FROM read_csv('" + (dir / "sectors.csv") + "')"));
  EXPECT_EQ(csv.column_names, csv_truth.column_names);
  EXPECT_EQ(csv.rows, csv_truth.rows);
  ASSERT_EQ(csv.num_rows(), 3u);
  Table json = sorted(sp->read_json({dir / "sectors.json"}).repartition(3, "ticker").to_table());
  EXPECT_EQ(json.rows, sorted(duckdb_query("SELECT * FROM read_json('" + (dir / "sectors.json") +
                                           "', format = 'newline_delimited')"))
                           .rows);
  // Told otherwise, the first line is data.
  CsvOptions no_header;
  no_header.header = false;
  EXPECT_EQ(sp->read_csv({dir / "sectors.csv"}, no_header).count(), 4);
}

Row with_double(const Row& r) {
  Row out;
  out["item"] = r["item"];
  out["twice"] = Value(r["item"].as_int() * 2);
  return out;
}

// 3 files in 20 partitions: 17 are empty, and a C++ map cannot tell their columns; they are
// written and read with the columns of the others.
TEST_F(FirstHour, EmptyPartitionsOfCppFunctions) {
  testing::write_items(dir / "items", 300, 3);
  auto mapped = sp->read_parquet(dir / "items/*.parquet").repartition(20).map(with_double);
  mapped.write_parquet(dir / "out");
  Table got = sorted(duckdb_query("SELECT * FROM read_parquet('" + (dir / "out/*.parquet") + "')"));
  Table truth = sorted(duckdb_query("SELECT item, item * 2 AS twice FROM read_parquet('" +
                                    (dir / "items/*.parquet") + "')"));
  EXPECT_EQ(got.rows, truth.rows);
  EXPECT_EQ(list_files_recursive(dir / "out").size(), 21u);  // 20 parts and the manifest
  // A query over each partition, empty ones included.
  Table counts = sp->partial_sql("SELECT count(*) AS n FROM {0}", mapped).to_table();
  EXPECT_EQ(counts.num_rows(), 20u);
  int64_t total = 0;
  for (auto& row : counts.rows) total += row[0].as_int();
  EXPECT_EQ(total, 300);
}

// Generated columns stay beside expressions, and a sink writes them.
TEST_F(FirstHour, GeneratedColumnsSurviveExpressionsAndSinks) {
  testing::write_items(dir / "items", 100, 2);
  ParquetOptions with_file;
  with_file.generated_columns = {"filename"};
  auto src = nodes::parquet_source(*sp, {dir / "items/*.parquet"});
  ProjectionOptions p;
  p.columns = {"item", "item * 10 AS ten"};
  p.generated_columns = {"filename"};
  Table t = nodes::projection(src, p).to_dataframe().take(1);
  EXPECT_EQ(t.column_names, (std::vector<std::string>{"item", "ten", "filename"}));
  sp->read_parquet(dir / "items/*.parquet", with_file).write_parquet(dir / "out");
  Table written = duckdb_query("SELECT count(DISTINCT filename)::BIGINT FROM read_parquet('" +
                               (dir / "out/*.parquet") + "')");
  EXPECT_EQ(written.rows[0][0].as_int(), 2);
}

Row volume_as_text(const Row& r) {
  Row out;
  out["v"] = Value(r["item"].as_string());  // item is a BIGINT
  return out;
}

// Reading a value as the wrong type names the column, its type and the accessor that fits, and
// is not retried.
TEST_F(FirstHour, WrongTypeAccessNamesTheColumn) {
  testing::write_items(dir / "items", 10, 1);
  std::string message;
  try {
    sp->read_parquet(dir / "items/*.parquet").map(volume_as_text).count();
  } catch (const Error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("column 'item' is an integer (use as_int() or as_double()), not text"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("not retried"), std::string::npos) << message;
}

Row scaled(const Row& r, const Row& params) {
  Row out;
  out["item"] = r["item"];
  out["scaled"] = Value(r["item"].as_int() * params["factor"].as_int());
  return out;
}

// Values of the program reach the functions as parameters, and are part of the keys.
TEST_F(FirstHour, FunctionParametersTravelAndKeyTheOutput) {
  testing::write_items(dir / "items", 100, 2);
  auto items = sp->read_parquet(dir / "items/*.parquet").repartition(2);
  auto sum_of = [&](int64_t factor) {
    Row params;
    params["factor"] = Value(factor);
    Table t = sp->partial_sql("SELECT sum(scaled)::BIGINT AS s FROM {0}",
                              items.map(scaled, params).repartition(1))
                  .to_table();
    return t.rows.at(0).at(0).as_int();
  };
  EXPECT_EQ(sum_of(2), 2 * 4950);
  EXPECT_EQ(sum_of(3), 3 * 4950);  // not the reused output of factor 2
  EXPECT_EQ(sum_of(2), 2 * 4950);
  EXPECT_GT(sp->last_report().reused_tasks(), 0);  // the same parameters: reused
}

}  // namespace
}  // namespace smallpond
