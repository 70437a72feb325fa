#include "engine/engine.h"

#include <gtest/gtest.h>

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

TEST(Engine, ErrorsAreClassified) {
  Engine engine;
  auto con = engine.connect();
  try {
    con->query("SELEC 1");
    FAIL();
  } catch (const EngineError& e) {
    EXPECT_FALSE(e.retryable);
    EXPECT_NE(std::string(e.what()).find("syntax error"), std::string::npos) << e.what();
  }
  try {
    con->query("SELECT nope FROM range(3)");
    FAIL();
  } catch (const EngineError& e) {
    EXPECT_FALSE(e.retryable);
  }
  try {
    con->query("SELECT * FROM read_parquet('/nonexistent/x.parquet')");
    FAIL();
  } catch (const EngineError& e) {
    EXPECT_TRUE(e.retryable);  // an I/O error may be transient on a shared file system
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
