#include "engine/engine.h"

#include <gtest/gtest.h>

#include "smallpond/arrow_c_data.h"
#include "smallpond/arrow_columns.h"
#include "smallpond/batch.h"
#include "support/test_env.h"

namespace smallpond {

TEST(Engine, QueryReturnsTypedValues) {
  Engine engine;
  auto con = engine.connect();
  Table t = con->query(
      "SELECT 1::INTEGER AS i, 2.5 AS d, 'x' AS s, NULL AS n, true AS b, DATE '2020-01-02' AS dt");
  ASSERT_EQ(t.num_rows(), 1u);
  EXPECT_EQ(t.rows[0][0].as_int(), 1);
  EXPECT_DOUBLE_EQ(t.rows[0][1].as_double(), 2.5);
  EXPECT_EQ(t.rows[0][2].as_string(), "x");
  EXPECT_TRUE(t.rows[0][3].is_null());
  EXPECT_TRUE(t.rows[0][4].as_bool());
  EXPECT_EQ(t.rows[0][5].as_string(), "2020-01-02");
  EXPECT_EQ(t.column_types[0], "INTEGER");
}

// DuckDB's footer cache never drops a file: the engine bounds it to the files read last.
TEST(Engine, FootersOfFilesReadLongAgoAreDropped) {
  testing::TempDir dir;
  Engine engine;
  auto con = engine.connect();
  std::vector<std::string> files;
  for (int i = 0; i < 3; i++) {
    files.push_back(dir / ("f" + std::to_string(i) + ".parquet"));
    con->execute("COPY (SELECT " + std::to_string(i) + " AS x) TO '" + files.back() +
                 "' (FORMAT parquet)");
    EXPECT_EQ(con->query_int("SELECT sum(x) FROM read_parquet('" + files.back() + "')"), i);
    EXPECT_TRUE(engine.caches_footer_of(files.back())) << "cached by the path as read";
  }
  engine.forget_old_footers({files[0], files[1], files[2]}, 2);
  EXPECT_FALSE(engine.caches_footer_of(files[0]));
  EXPECT_TRUE(engine.caches_footer_of(files[1]));
  EXPECT_TRUE(engine.caches_footer_of(files[2]));
  engine.forget_old_footers({files[1]}, 1);  // read again: the most recent now
  EXPECT_TRUE(engine.caches_footer_of(files[1]));
  EXPECT_FALSE(engine.caches_footer_of(files[2]));
  EXPECT_EQ(con->query_int("SELECT sum(x) FROM read_parquet('" + files[2] + "')"), 2);
}

TEST(Engine, ErrorsAreClassified) {
  Engine engine;
  auto con = engine.connect();
  try {
    con->query("SELEC 1");
    FAIL();
  } catch (const EngineError& e) {
    EXPECT_FALSE(is_retryable(e.code()));
    EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
  }
  try {
    con->query("SELECT nope FROM range(3)");
    FAIL();
  } catch (const EngineError& e) {
    EXPECT_FALSE(is_retryable(e.code()));
  }
  try {
    con->query("SELECT * FROM read_parquet('/nonexistent/x.parquet')");
    FAIL();
  } catch (const EngineError& e) {
    EXPECT_TRUE(is_retryable(e.code()));  // an I/O error may be transient on a shared file system
  }
}

TEST(Engine, SplitStatements) {
  Engine engine;
  auto con = engine.connect();
  auto s = con->split_statements("CREATE TABLE t AS SELECT 1 AS a; SELECT ';' AS x FROM t;");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], "CREATE TABLE t AS SELECT 1 AS a");
  EXPECT_EQ(s[1], "SELECT ';' AS x FROM t");
}

TEST(Engine, LimitsApply) {
  Engine engine;
  EngineLimits limits;
  limits.threads = 3;
  limits.memory_limit = int64_t(512) << 20;
  auto con = engine.connect(limits);
  EXPECT_EQ(con->query_int("SELECT current_setting('threads')"), 3);
  Table t = con->query("SELECT current_setting('memory_limit')");
  EXPECT_NE(t.rows[0][0].as_string().find("512"), std::string::npos) << t.rows[0][0].as_string();
}

}  // namespace smallpond

namespace smallpond {
namespace {

TEST(Engine, WholeResultBatchAndArrowSinkRoundTrip) {
  Engine engine;
  auto con = engine.connect();
  auto batch = con->query_batch(
      "SELECT range AS id, range::VARCHAR AS name, range * 0.5 AS half FROM range(5000)");
  EXPECT_EQ(batch->num_rows(), 5000u);  // one batch of the whole result, beyond a chunk
  EXPECT_EQ(batch->column_names(), (std::vector<std::string>{"id", "name", "half"}));
  auto sink = con->create_arrow_sink();
  EXPECT_FALSE(sink->has_columns());
  for (int i = 0; i < 2; i++) {
    ArrowSchema schema;
    ArrowArray array;
    batch->export_arrow(&schema, &array);
    EXPECT_EQ(sink->append(&schema, &array), 5000);
    EXPECT_EQ(schema.release, nullptr);  // taken over
    EXPECT_EQ(array.release, nullptr);
  }
  ASSERT_TRUE(sink->has_columns());
  testing::TempDir dir;
  EXPECT_EQ(sink->write_parquet(dir / "out.parquet"), 10000);
  Table t = con->query("SELECT count(*), sum(id), count(DISTINCT name), sum(half) FROM '" +
                       dir / "out.parquet" + "'");
  EXPECT_EQ(t.rows[0][0].as_int(), 10000);
  EXPECT_EQ(t.rows[0][1].as_int(), 2 * 4999 * 5000 / 2);
  EXPECT_EQ(t.rows[0][2].as_int(), 5000);
  EXPECT_DOUBLE_EQ(t.rows[0][3].as_double(), 2 * 0.5 * 4999 * 5000 / 2);
  // Not a struct array: refused with a clear message.
  ArrowSchema schema;
  ArrowArray array;
  batch->export_arrow(&schema, &array);
  ArrowSchema* child = schema.children[0];
  std::swap(schema.format, child->format);
  EXPECT_THROW(sink->append(&schema, &array), InvalidInputError);  // and released
  EXPECT_EQ(schema.release, nullptr);
  EXPECT_EQ(array.release, nullptr);
  EXPECT_EQ(empty_batch()->num_columns(), 0u);
}

TEST(Engine, ArrowColumnsGoInWithoutCopiesAndCheckLengths) {
  ArrowColumns columns;
  columns.add("id", std::vector<int64_t>{1, 2, 3})
      .add("x", std::vector<double>{0.5, 1.5, 2.5})
      .add("s", std::vector<std::string>{"a", "", "ccc"});
  EXPECT_EQ(columns.num_rows(), 3u);
  EXPECT_THROW(columns.add("short", std::vector<int64_t>{1}), InvalidInputError);
  Engine engine;
  auto con = engine.connect();
  auto sink = con->create_arrow_sink();
  ArrowSchema schema;
  ArrowArray array;
  columns.export_arrow(&schema, &array);
  EXPECT_EQ(columns.num_columns(), 0u);  // moved out
  EXPECT_EQ(sink->append(&schema, &array), 3);
  testing::TempDir dir;
  sink->write_parquet(dir / "c.parquet");
  Table t = con->query("SELECT * FROM '" + dir / "c.parquet" + "' ORDER BY id");
  EXPECT_EQ(t.column_names, (std::vector<std::string>{"id", "x", "s"}));
  EXPECT_EQ(t.column_types, (std::vector<std::string>{"BIGINT", "DOUBLE", "VARCHAR"}));
  ASSERT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(t.rows[2][0].as_int(), 3);
  EXPECT_DOUBLE_EQ(t.rows[1][1].as_double(), 1.5);
  EXPECT_EQ(t.rows[1][2].as_string(), "");
  EXPECT_EQ(t.rows[2][2].as_string(), "ccc");
  // Exported and released without a consumer: no leak, no double free (valgrind-clean).
  ArrowColumns unused;
  unused.add("v", std::vector<std::string>{"x"});
  unused.export_arrow(&schema, &array);
  array.release(&array);
  schema.release(&schema);
}

}  // namespace

namespace {

// The rows of a query, sorted, for comparisons that ignore row order.
std::vector<std::vector<Value>> sorted_rows(EngineConnection& con, const std::string& sql) {
  return con.query("SELECT * FROM (" + sql + ") ORDER BY ALL").rows;
}

// For results that fit: asking for a file is a failure.
std::string no_file() {
  ADD_FAILURE() << "a result that fits asked for a file";
  return "";
}

const char* const kSample =
    "SELECT i, i % 7 AS k, 'v' || i AS s, CASE WHEN i % 5 = 0 THEN NULL ELSE i * 0.5 END AS d "
    "FROM range(5000) t(i)";

}  // namespace

TEST(EngineMemoryTables, KeptResultsReadBackAsOneRelation) {
  Engine engine;
  auto con = engine.connect();
  int64_t rows = 0, bytes = 0;
  ASSERT_TRUE(con->query_to_memory("a", std::string(kSample) + " WHERE i < 3000", 1 << 30, no_file,
                                   &rows, &bytes));
  EXPECT_EQ(rows, 3000);
  EXPECT_GT(bytes, 0);
  ASSERT_TRUE(con->query_to_memory("b", std::string(kSample) + " WHERE i >= 3000", 1 << 30, no_file,
                                   &rows, &bytes));
  EXPECT_TRUE(engine.has_memory_table("a"));
  EXPECT_EQ(sorted_rows(*con, "SELECT * FROM __smallpond_memory(['a', 'b'])"),
            sorted_rows(*con, kSample));
  Table t = con->query("SELECT * FROM __smallpond_memory(['a']) LIMIT 0");
  EXPECT_EQ(t.column_names, (std::vector<std::string>{"i", "k", "s", "d"}));
  EXPECT_TRUE(engine.drop_memory_table("a"));
  EXPECT_FALSE(engine.has_memory_table("a"));
  EXPECT_THROW(con->query("SELECT * FROM __smallpond_memory(['a'])"), EngineError);
}

TEST(EngineMemoryTables, ExportedTablesImportIntoAnotherEngine) {
  Engine producer, consumer;
  auto p = producer.connect();
  int64_t rows = 0, bytes = 0;
  ASSERT_TRUE(p->query_to_memory("t", kSample, 1 << 30, no_file, &rows, &bytes));
  ASSERT_TRUE(p->query_to_memory("empty", std::string(kSample) + " WHERE false", 1 << 30, no_file,
                                 &rows, &bytes));
  EXPECT_EQ(rows, 0);
  consumer.import_memory_table("t", producer.export_memory_table("t"));
  consumer.import_memory_table("empty", producer.export_memory_table("empty"));
  auto c = consumer.connect();
  EXPECT_EQ(sorted_rows(*c, "SELECT * FROM __smallpond_memory(['t'])"), sorted_rows(*c, kSample));
  Table empty = c->query("SELECT * FROM __smallpond_memory(['empty'])");
  EXPECT_EQ(empty.num_rows(), 0u);
  EXPECT_EQ(empty.column_types, c->query(std::string(kSample) + " LIMIT 0").column_types);
  EXPECT_THROW(producer.export_memory_table("nope"), Error);
  EXPECT_THROW(consumer.import_memory_table("bad", "not a table"), Error);
}

TEST(EngineMemoryTables, PartsOfDifferentTypesAreWidenedAsInUnionAll) {
  Engine engine;
  auto con = engine.connect();
  int64_t rows = 0, bytes = 0;
  ASSERT_TRUE(con->query_to_memory("i", "SELECT 1::INTEGER AS x", 1 << 20, no_file, &rows, &bytes));
  ASSERT_TRUE(
      con->query_to_memory("b", "SELECT 5000000000::BIGINT AS x", 1 << 20, no_file, &rows, &bytes));
  Table t = con->query("SELECT x FROM __smallpond_memory(['i', 'b']) ORDER BY x");
  EXPECT_EQ(t.column_types[0], "BIGINT");
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.rows[0][0].as_int(), 1);
  EXPECT_EQ(t.rows[1][0].as_int(), 5000000000);
}

TEST(EngineMemoryTables, ManyTablesInOneScan) {
  // Beyond what a UNION ALL of tables can express (about 1000, expression depth).
  Engine engine;
  auto con = engine.connect();
  std::vector<std::string> names;
  int64_t rows = 0, bytes = 0;
  for (int i = 0; i < 1500; i++) {
    names.push_back("t" + std::to_string(i));
    ASSERT_TRUE(con->query_to_memory(names.back(), "SELECT " + std::to_string(i) + " AS v", 1 << 20,
                                     no_file, &rows, &bytes));
  }
  std::string list;
  for (auto& n : names) list += (list.empty() ? "'" : ", '") + n + "'";
  Table t = con->query("SELECT count(*), sum(v) FROM __smallpond_memory([" + list + "])");
  EXPECT_EQ(t.rows[0][0].as_int(), 1500);
  EXPECT_EQ(t.rows[0][1].as_int(), 1499 * 1500 / 2);
}

TEST(EngineMemoryTables, ResultsOverTheLimitAreWrittenAsParquet) {
  testing::TempDir dir;
  Engine engine;
  auto con = engine.connect();
  int64_t rows = 0, bytes = -1;
  std::string file = dir / "out.parquet";
  EXPECT_FALSE(con->query_to_memory(
      "big", kSample, 1000, [&] { return file; }, &rows, &bytes));
  EXPECT_EQ(rows, 5000);
  EXPECT_EQ(bytes, 0);
  EXPECT_FALSE(engine.has_memory_table("big"));
  EXPECT_EQ(sorted_rows(*con, "SELECT * FROM read_parquet('" + file + "')"),
            sorted_rows(*con, kSample));
}

}  // namespace smallpond
