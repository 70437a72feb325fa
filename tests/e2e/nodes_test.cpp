// The Node API end to end: plans built node by node, C++ partition/table/stream/script steps,
// projections, sinks and recompute, each against DuckDB on the unpartitioned input or an exact
// property.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "smallpond/smallpond.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::duckdb_query;
using testing::sorted;

std::string quoted(const std::string& s) { return "'" + s + "'"; }

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

class Nodes : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_items(dir / "items", 1000, 10);
    Options o;
    o.job_dir = dir / "job";
    o.executors = 2;
    o.progress = false;
    sp = std::make_unique<Session>(init(o));
  }
  LogicalNode items() { return nodes::parquet_source(*sp, {dir / "items"}); }
  std::string error_of(const LogicalNode& n) {
    try {
      n.to_dataframe().to_table();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  testing::TempDir dir;
  std::unique_ptr<Session> sp;
};

TEST_F(Nodes, ExplicitPlanWithNestedHashAndSinkEqualsDuckDB) {
  auto prices = nodes::parquet_source(*sp, {testing::small_prices_dir()});
  PartitionOptions outer;
  outer.dimension = "a";
  PartitionOptions inner;
  inner.dimension = "b";
  inner.nested = true;
  auto a = nodes::hash_partition(prices, 3, {"ticker"}, outer);
  auto ab = nodes::hash_partition(a, 5, {"ticker", "date"}, inner);
  EXPECT_EQ(ab.num_partitions(), 15);
  auto by_ticker = nodes::consolidate(ab, "b");
  auto stats = nodes::sql_engine(
      {by_ticker},
      "SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM {0} GROUP BY ticker");
  auto sink = nodes::data_sink(stats.named("stats"), dir / "out");
  JobReport report = nodes::run({sink});
  EXPECT_EQ(report.step("stats").tasks, 3);
  Table got =
      sorted(duckdb_query("SELECT * FROM read_parquet(" + quoted(dir / "out/*.parquet") + ")"));
  Table truth = sorted(
      duckdb_query("SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM read_parquet(" +
                   quoted(testing::small_prices_dir() + "/*.parquet") + ") GROUP BY ticker"));
  EXPECT_EQ(got.rows, truth.rows);
}

int64_t item_mod_4(const Row& r) { return r["item"].as_int() % 4; }
int64_t item_mod_5(const Row& r) { return r["item"].as_int() % 5; }

TEST_F(Nodes, UserDefinedPartitionPutsEachRowWhereTheFunctionSays) {
  auto parts =
      nodes::user_defined_partition(nodes::evenly_distributed_partition(items(), 3), 4, item_mod_4);
  EXPECT_EQ(parts.num_partitions(), 4);
  Table t = nodes::sql_engine({parts},
                              "SELECT {__data_partition__} AS p, count(*) AS n, min(item % 4) AS "
                              "lo, max(item % 4) AS hi, sum(item)::BIGINT AS s FROM {0}")
                .to_dataframe()
                .to_table();
  ASSERT_EQ(t.num_rows(), 4u);
  int64_t total = 0;
  for (auto& row : t.rows) {
    EXPECT_EQ(row[1].as_int(), 250);
    EXPECT_EQ(row[2].as_int(), row[0].as_int());
    EXPECT_EQ(row[3].as_int(), row[0].as_int());
    total += row[4].as_int();
  }
  EXPECT_EQ(total, 999 * 1000 / 2);
  // Nested under the 3 even partitions: 3 x 4 partitions, each row once.
  PartitionOptions nested;
  nested.nested = true;
  nested.dimension = "m";
  auto grid = nodes::user_defined_partition(nodes::evenly_distributed_partition(items(), 3), 4,
                                            item_mod_4, nested);
  EXPECT_EQ(grid.num_partitions(), 12);
  EXPECT_EQ(grid.to_dataframe().count(), 1000);
  // A key outside [0, n) fails with the key and the range.
  auto bad = nodes::user_defined_partition(items(), 4, item_mod_5);
  EXPECT_NE(error_of(bad).find("partition key 4 is out of range 0-3"), std::string::npos)
      << error_of(bad);
}

TEST_F(Nodes, ProjectionColumnsExpressionsAndGeneratedColumns) {
  ProjectionOptions p;
  p.columns = {"item"};
  p.generated_columns = {"filename", "file_row_number"};
  auto rows = nodes::evenly_distributed_partition(items(), 3, /*by_rows=*/true);
  Table t = nodes::projection(rows, p).to_dataframe().to_table();
  EXPECT_EQ(t.column_names, (std::vector<std::string>{"item", "filename", "file_row_number"}));
  ASSERT_EQ(t.num_rows(), 1000u);
  for (auto& row : t.rows) {
    int64_t item = row[0].as_int();
    char name[32];
    std::snprintf(name, sizeof name, "item-%05d.parquet", static_cast<int>(item / 100));
    EXPECT_NE(row[1].as_string().find(name), std::string::npos) << row[1].as_string();
    EXPECT_EQ(row[2].as_int(), item % 100);
  }
  // SQL expressions among the columns.
  ProjectionOptions e;
  e.columns = {"item", "item * 2 AS twice"};
  Table twice = sorted(nodes::projection(rows, e).to_dataframe().to_table());
  Table truth = sorted(duckdb_query("SELECT item, item * 2 AS twice FROM read_parquet(" +
                                    quoted(dir / "items/*.parquet") + ")"));
  EXPECT_EQ(twice.column_names, truth.column_names);
  EXPECT_EQ(twice.rows, truth.rows);
  // Files with different columns, matched by name.
  std::filesystem::create_directories(dir / "mixed");
  duckdb_query("COPY (SELECT 1 AS x) TO " + quoted(dir / "mixed/a.parquet") + " (FORMAT parquet)");
  duckdb_query("COPY (SELECT 2 AS x, 'b' AS y) TO " + quoted(dir / "mixed/b.parquet") +
               " (FORMAT parquet)");
  ProjectionOptions u;
  u.union_by_name = true;
  Table mixed = sorted(
      nodes::projection(nodes::parquet_source(*sp, {dir / "mixed"}), u).to_dataframe().to_table());
  EXPECT_EQ(mixed.column_names, (std::vector<std::string>{"x", "y"}));
  ASSERT_EQ(mixed.num_rows(), 2u);
  EXPECT_TRUE(mixed.rows[0][1].is_null());
  EXPECT_EQ(mixed.rows[1][1].as_string(), "b");
}

// Per aligned partition: rows of each input and the sum of the second's "ten" column (read
// through the Arrow export, as an Arrow-based library would).
Table count_pair(const std::vector<const Batch*>& in) {
  ArrowSchema schema;
  ArrowArray array;
  in[1]->export_arrow(&schema, &array);
  int64_t sum = 0;
  if (array.length > 0) {
    const ArrowArray* ten = array.children[1];
    auto* values = static_cast<const int64_t*>(ten->buffers[1]);
    for (int64_t i = 0; i < ten->length; i++) sum += values[ten->offset + i];
  }
  array.release(&array);
  schema.release(&schema);
  Table t;
  t.column_names = {"a_rows", "b_rows", "ten_sum", "columns"};
  t.column_types = {"BIGINT", "BIGINT", "BIGINT", "BIGINT"};
  t.rows.push_back({Value(int64_t(in[0]->num_rows())), Value(int64_t(in[1]->num_rows())),
                    Value(sum), Value(int64_t(in[1]->num_columns()))});
  return t;
}

TEST_F(Nodes, TableFunctionGetsWholeAlignedPartitions) {
  auto a = nodes::hash_partition(items(), 3, {"item"});
  auto b = nodes::sql_engine({a}, "SELECT item, item * 10 AS ten FROM {0}");
  Table t = nodes::table_function({a, b}, count_pair).to_dataframe().to_table();
  ASSERT_EQ(t.num_rows(), 3u);
  int64_t rows = 0, sum = 0;
  for (auto& row : t.rows) {
    EXPECT_EQ(row[0].as_int(), row[1].as_int());  // aligned: the same partition of both
    EXPECT_EQ(row[3].as_int(), 2);
    rows += row[0].as_int();
    sum += row[2].as_int();
  }
  EXPECT_EQ(rows, 1000);
  EXPECT_EQ(sum, 10 * 999 * 1000 / 2);
  // An empty partition still has its columns.
  auto none = nodes::sql_engine({a}, "SELECT item, item AS ten FROM {0} WHERE false");
  Table empty = nodes::table_function({none, none}, count_pair).to_dataframe().to_table();
  ASSERT_EQ(empty.num_rows(), 3u);
  for (auto& row : empty.rows) EXPECT_EQ(row[3].as_int(), 2);
}

// Doubles items; with SMALLPOND_TEST_STREAM_DIR set, logs each batch's first item there and
// kills its own process at the batch starting at 500, once.
Table stream_double(const Batch& b) {
  Table out;
  out.column_names = {"item", "twice"};
  out.column_types = {"BIGINT", "BIGINT"};
  for (size_t r = 0; r < b.num_rows(); r++) {
    int64_t item = b.value(0, r).as_int();
    out.rows.push_back({Value(item), Value(2 * item)});
  }
  if (const char* dir = std::getenv("SMALLPOND_TEST_STREAM_DIR")) {
    int64_t first = b.value(0, 0).as_int();
    std::ofstream(std::string(dir) + "/calls.log", std::ios::app) << first << "\n";
    std::string marker = std::string(dir) + "/crashed";
    struct stat st;
    if (first == 500 && ::stat(marker.c_str(), &st) != 0) {
      std::ofstream(marker) << "once\n";
      std::_Exit(17);  // as a crash would: no cleanup, no answer
    }
  }
  return out;
}

TEST_F(Nodes, StreamResumesFromItsLastCheckpointAfterACrash) {
  testing::TempDir log;
  ::setenv("SMALLPOND_TEST_STREAM_DIR", log.path().c_str(), 1);
  StreamOptions o;
  o.batch_size = 100;
  o.checkpoint_seconds = 0;  // after every batch
  auto doubled =
      nodes::batch_stream(nodes::evenly_distributed_partition(items(), 1), stream_double, o);
  Table t = sorted(doubled.to_dataframe().to_table());
  ::unsetenv("SMALLPOND_TEST_STREAM_DIR");
  Table truth = sorted(duckdb_query("SELECT item, item * 2 AS twice FROM read_parquet(" +
                                    quoted(dir / "items/*.parquet") + ")"));
  EXPECT_EQ(t.rows, truth.rows);
  EXPECT_EQ(sp->last_report().step(doubled.name()).retries, 1);
  // Batches before the crash ran once; the crashed one again; then the rest.
  EXPECT_EQ(lines_of(log / "calls.log"),
            (std::vector<std::string>{"0", "100", "200", "300", "400", "500", "500", "600", "700",
                                      "800", "900"}));
  // Published: no checkpoint is left behind.
  std::string checkpoints = dir / "job/checkpoints";
  if (std::filesystem::exists(checkpoints)) {
    EXPECT_TRUE(std::filesystem::is_empty(checkpoints));
  }
}

// Summarises its partition with SQL over the input files, into the output directory.
bool summarize(ScriptContext& ctx) {
  std::string files;
  for (auto& f : ctx.input_files(0)) files += (files.empty() ? "'" : ", '") + f + "'";
  ctx.query("COPY (SELECT " + std::to_string(ctx.partition()) +
            " AS part, count(*) AS n, sum(item)::BIGINT AS s FROM read_parquet([" + files +
            "])) TO '" + ctx.output_dir() + "/summary.parquet' (FORMAT parquet)");
  Table note;
  note.column_names = {"part", "inputs"};
  note.rows.push_back({Value(int64_t(ctx.partition())), Value(int64_t(ctx.num_inputs()))});
  ctx.write_parquet(note, ctx.output_dir() + "/notes/note.parquet.txt");  // not an output
  return true;
}

bool refuse(ScriptContext&) { return false; }

TEST_F(Nodes, ScriptRunsOnExactInputFilesAndPublishesItsParquetFiles) {
  // Row ranges: the script still sees exact files (its inputs are written out first).
  auto rows = nodes::evenly_distributed_partition(items(), 3, /*by_rows=*/true);
  auto summary = nodes::script({rows}, summarize);
  Table t = summary.to_dataframe().to_table();
  ASSERT_EQ(t.num_rows(), 3u);
  int64_t n = 0, s = 0;
  for (size_t p = 0; p < 3; p++) {
    EXPECT_EQ(t.rows[p][0].as_int(), int64_t(p));
    n += t.rows[p][1].as_int();
    s += t.rows[p][2].as_int();
  }
  EXPECT_EQ(n, 1000);
  EXPECT_EQ(s, 999 * 1000 / 2);
  std::string error = error_of(nodes::script({rows}, refuse).named("refuser"));
  EXPECT_NE(error.find("refuser"), std::string::npos) << error;
  EXPECT_NE(error.find("the script returned false"), std::string::npos) << error;
}

// Passes batches through as rows.
Table copy_rows(const Batch& b) { return b.to_table(); }
// Concatenates whole partitions of one input.
Table copy_table(const std::vector<const Batch*>& in) { return in[0]->to_table(); }
// Copies its input files' rows into one output file.
bool copy_script(ScriptContext& ctx) {
  std::string files;
  for (auto& f : ctx.input_files(0)) files += (files.empty() ? "'" : ", '") + f + "'";
  if (files.empty()) return true;
  ctx.query("COPY (SELECT * FROM read_parquet([" + files + "])) TO '" + ctx.output_dir() +
            "/rows.parquet' (FORMAT parquet)");
  return true;
}

TEST_F(Nodes, FunctionStepsUnderInjectedFaultsReproduceTheirInput) {
  Options o;
  o.job_dir = dir / "faulty";
  o.executors = 2;
  o.progress = false;
  o.fault_probability = 0.5;  // 13 tasks: some attempt fails but for a chance of 1 in 8192
  o.max_retry = 30;
  Session faulty = init(o);
  auto parts = nodes::evenly_distributed_partition(
      nodes::parquet_source(faulty, {testing::small_prices_dir()}), 4, /*by_rows=*/true);
  StreamOptions every_batch;
  every_batch.batch_size = 5000;
  every_batch.checkpoint_seconds = 0;
  auto streamed = nodes::batch_stream(parts, copy_rows, every_batch);
  auto computed = nodes::table_function({streamed}, copy_table);
  auto scripted = nodes::script({computed}, copy_script);
  const std::string query =
      "SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM {0} GROUP BY ticker";
  Table got = sorted(nodes::sql_engine({nodes::consolidate(scripted, "__data_partition__")}, query)
                         .to_dataframe()
                         .to_table());
  Table truth = sorted(
      duckdb_query("SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM read_parquet(" +
                   quoted(testing::small_prices_dir() + "/*.parquet") + ") GROUP BY ticker"));
  EXPECT_EQ(got.rows, truth.rows);
  int retries = 0;
  for (auto& s : faulty.last_report().steps) retries += s.retries;
  EXPECT_GT(retries, 0) << faulty.last_report().to_string();
}

TEST_F(Nodes, FunctionStepsReadInMemoryInputs) {
  Options o;
  o.job_dir = dir / "memory";
  o.executors = 2;
  o.progress = false;
  o.memory_passing_bytes = 64 << 20;  // every SQL output below stays in memory
  Session session = init(o);
  auto parts = nodes::hash_partition(nodes::parquet_source(session, {testing::small_prices_dir()}),
                                     3, {"ticker"});
  auto sums = nodes::sql_engine(
      {parts}, "SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM {0} GROUP BY ticker");
  StreamOptions every_batch;
  every_batch.batch_size = 7;
  every_batch.checkpoint_seconds = 0;
  auto streamed = nodes::batch_stream(sums, copy_rows, every_batch);
  auto both = nodes::table_function({sums, streamed}, copy_table);
  auto scripted = nodes::script({both}, copy_script);
  Table got = sorted(scripted.to_dataframe().to_table());
  EXPECT_EQ(session.last_report().step(sums.name()).in_memory, 3)
      << session.last_report().to_string();
  Table truth = sorted(
      duckdb_query("SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM read_parquet(" +
                   quoted(testing::small_prices_dir() + "/*.parquet") + ") GROUP BY ticker"));
  EXPECT_EQ(got.rows, truth.rows);
}

ino_t inode_of(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

TEST_F(Nodes, SinksCopyLinkAndManifest) {
  auto parts = items().to_dataframe().repartition(2);
  parts.write_parquet(dir / "copy", SinkType::Copy);
  parts.write_parquet(dir / "link", SinkType::Link);
  parts.write_parquet(dir / "manifest", SinkType::Manifest);
  auto copied = lines_of(dir / "copy/.MANIFEST.txt");
  auto linked = lines_of(dir / "link/.MANIFEST.txt");
  auto listed = lines_of(dir / "manifest/.MANIFEST.txt");
  ASSERT_EQ(listed.size(), 10u);  // the 10 input files, split into 2 partitions
  ASSERT_EQ(copied.size(), listed.size());
  ASSERT_EQ(linked.size(), listed.size());
  for (size_t i = 0; i < listed.size(); i++) {
    EXPECT_EQ(copied[i].rfind(dir / "copy/", 0), 0u) << copied[i];
    EXPECT_EQ(linked[i].rfind(dir / "link/", 0), 0u) << linked[i];
    EXPECT_EQ(inode_of(linked[i]), inode_of(listed[i]));  // the same file
    EXPECT_NE(inode_of(copied[i]), inode_of(listed[i]));  // its own bytes
  }
  for (auto* files : {&copied, &linked, &listed}) {
    std::string list;
    for (auto& f : *files) list += (list.empty() ? "'" : ", '") + f + "'";
    Table t = duckdb_query("SELECT count(*), sum(item) FROM read_parquet([" + list + "])");
    EXPECT_EQ(t.rows[0][0].as_int(), 1000);
    EXPECT_EQ(t.rows[0][1].as_int(), 999 * 1000 / 2);
  }
  // The manifest sink holds no data files of its own.
  Table own = duckdb_query("SELECT count(*) FROM glob(" + quoted(dir / "manifest/*.parquet") + ")");
  EXPECT_EQ(own.rows[0][0].as_int(), 0);
}

TEST_F(Nodes, RecomputeRunsAStepAgainOnce) {
  auto df = items().to_dataframe().repartition(2).map("item + 1 AS x").named("plus");
  EXPECT_EQ(df.count(), 1000);
  EXPECT_EQ(sp->last_report().step("plus").executed, 2);
  EXPECT_EQ(df.count(), 1000);
  EXPECT_EQ(sp->last_report().step("plus").executed, 0);  // reused
  auto again = df.recompute();
  EXPECT_EQ(again.take_all().num_rows(), 1000u);
  EXPECT_EQ(sp->last_report().step("plus").executed, 2);
  EXPECT_EQ(again.count(), 1000);
  EXPECT_EQ(sp->last_report().step("plus").executed, 0);  // computed once after recompute()
}

}  // namespace
}  // namespace smallpond
