// Which queries may give another result when run again (their outputs are kept in files).
#include "engine/sql_volatility.h"

#include <gtest/gtest.h>

#include "engine/engine.h"

namespace smallpond {
namespace {

TEST(SqlVolatility, FromDuckDBsParse) {
  Engine engine;
  auto con = engine.connect();
  con->execute("CREATE TABLE t AS SELECT range AS a, 'random' AS random_word FROM range(10)");
  for (const char* q : {"SELECT random() AS r FROM t", "SELECT * FROM t USING SAMPLE 50%",
                        "SELECT * FROM t TABLESAMPLE 10%", "SELECT a, uuid() FROM t",
                        "SELECT * FROM t WHERE a < (SELECT max(a) * random() FROM t)",
                        "SELECT now() AS at FROM t", "SELECT * FROM t ORDER BY random()",
                        "CREATE TEMP TABLE x AS SELECT random() AS r; SELECT * FROM x",
                        // The clock's keywords, without parentheses.
                        "SELECT a, current_timestamp AS t FROM t", "SELECT current_date, a FROM t",
                        "SELECT * FROM t WHERE CURRENT_TIME > TIME '00:00'",
                        "SELECT localtime, localtimestamp FROM t"})
    EXPECT_TRUE(con->is_volatile(q)) << q;
  for (const char* q :
       {"SELECT a, random_word, 'random()' AS text FROM t", "SELECT sum(a) FROM t GROUP BY a % 2",
        "CREATE TEMP TABLE y AS SELECT 1 AS one; SELECT * FROM y, t"})
    EXPECT_FALSE(con->is_volatile(q)) << q;
}

TEST(SqlVolatility, TextFallbackErrsOnTheVolatileSide) {
  EXPECT_TRUE(text_may_be_volatile("INSERT INTO x SELECT RANDOM()"));
  EXPECT_TRUE(text_may_be_volatile("create table s as select * from t using sample 5"));
  EXPECT_FALSE(text_may_be_volatile("INSERT INTO x SELECT randomness FROM t"));
  EXPECT_TRUE(text_may_be_volatile("INSERT INTO x SELECT LOCALTIMESTAMP"));
}

}  // namespace
}  // namespace smallpond
