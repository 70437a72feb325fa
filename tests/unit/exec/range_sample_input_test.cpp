// What a range sample reads (exec/range_sample_input.h): a share of a large source's rows,
// chosen by their places in its files, standing for all of them; everything otherwise.
#include "exec/range_sample_input.h"

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "io/file_fingerprint.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::TempDir;

class RangeSampleInputTest : public ::testing::Test {
 protected:
  void SetUp() override { con = engine.connect(); }
  // A Parquet file of `rows` rows (i, s), as a source's data set or as a task's output.
  DataSet parquet(const std::string& name, int64_t rows, bool source,
                  const std::string& columns = "i, i::VARCHAR AS s") {
    std::string path = dir / name;
    con->execute("COPY (SELECT " + columns + " FROM range(" + std::to_string(rows) +
                 ") t(i)) TO '" + path + "' (FORMAT parquet, ROW_GROUP_SIZE 10000)");
    DataSet ds = DataSet::parquet_files({path}, path);
    if (source) ds.files[0].fingerprint = to_string(input_fingerprint(path));
    return ds;
  }
  TempDir dir;
  Engine engine;
  std::unique_ptr<EngineConnection> con;
};

TEST_F(RangeSampleInputTest, ALargeSourceIsReadInAShareChosenByPlace) {
  DataSet ds = parquet("a.parquet", 100000, true);
  ds.files.push_back(parquet("b.parquet", 60000, true).files[0]);
  // 1000 samples, 16 rows read for each: about one row in ten of 160 000.
  RangeSampleInput in = range_sample_input(*con, ds, 1000);
  EXPECT_EQ(in.input_rows, 160000);
  Table got = con->query("SELECT count(*), count(DISTINCT i), min(i) >= 0 FROM (" + in.sql + ")");
  int64_t read = got.rows[0][0].as_int();
  EXPECT_GT(read, 160000 / 10 * 8 / 10);
  EXPECT_LT(read, 160000 / 10 * 12 / 10);
  // Its columns are the input's; the same rows every time.
  EXPECT_EQ(con->query("SELECT * FROM (" + in.sql + ") LIMIT 0").column_names,
            (std::vector<std::string>{"i", "s"}));
  EXPECT_EQ(
      con->query("SELECT * FROM (" + in.sql + ") ORDER BY ALL").rows,
      con->query("SELECT * FROM (" + range_sample_input(*con, ds, 1000).sql + ") ORDER BY ALL")
          .rows);
  // Spread over the whole input: every tenth of each file is read.
  EXPECT_EQ(con->query_int("SELECT count(DISTINCT i // 10000) FROM (" + in.sql + ")"), 10);
  // With a projection and the reader's own columns, the same columns come out.
  DataSet projected = ds;
  projected.columns = {"s", "filename"};
  projected.generated_columns = {"filename"};
  in = range_sample_input(*con, projected, 1000);
  EXPECT_EQ(con->query("SELECT * FROM (" + in.sql + ") LIMIT 0").column_names,
            (std::vector<std::string>{"s", "filename"}));
  EXPECT_EQ(con->query_int("SELECT count(DISTINCT filename) FROM (" + in.sql + ")"), 2);
  projected.generated_columns = {"file_row_number", "filename"};
  projected.columns = {"file_row_number", "i"};
  in = range_sample_input(*con, projected, 1000);
  EXPECT_EQ(in.input_rows, 160000);
  EXPECT_EQ(con->query("SELECT * FROM (" + in.sql + ") LIMIT 0").column_names,
            (std::vector<std::string>{"file_row_number", "i"}));
  EXPECT_EQ(con->query_int("SELECT count(*) FROM (" + in.sql + ") WHERE file_row_number != i"), 0);
  // Row ranges of a source (a split of it) too, with the rows of the range only.
  DataSet part = ds;
  part.files.resize(1);
  part.files[0].begin = 20000;
  part.files[0].end = 80000;
  in = range_sample_input(*con, part, 100);
  EXPECT_EQ(in.input_rows, 60000);
  EXPECT_EQ(con->query_int("SELECT count(*) FROM (" + in.sql + ") WHERE i < 20000 OR i >= 80000"),
            0);
}

TEST_F(RangeSampleInputTest, EverythingIsReadOtherwise) {
  auto reads_all = [&](const DataSet& ds, int64_t samples) {
    RangeSampleInput in = range_sample_input(*con, ds, samples);
    EXPECT_EQ(in.input_rows, -1);
    EXPECT_EQ(con->query_int("SELECT count(*) FROM (" + in.sql + ")"),
              con->query_int("SELECT count(*) FROM (" + ds.sql() + ")"));
  };
  // A task's output (another attempt may write its rows in another order).
  reads_all(parquet("out.parquet", 100000, false), 1000);
  // Too small for a share: fewer than twice 16 rows per sample.
  reads_all(parquet("small.parquet", 31999, true), 1000);
  // A file with a column named like the reader's row number.
  reads_all(parquet("named.parquet", 100000, true, "i, i AS file_row_number"), 1000);
}

}  // namespace
}  // namespace smallpond
