// Which queries are row-local (may run inside a shuffle's producers on slices of the input):
// decided from DuckDB's parse.
#include "logical/row_local.h"

#include <gtest/gtest.h>

#include "engine/engine.h"

namespace smallpond {
namespace {

class RowLocal : public ::testing::Test {
 protected:
  Engine engine;
  std::unique_ptr<EngineConnection> con = engine.connect();
  std::string why(const std::string& sql) {
    std::string reason;
    return is_row_local(*con, sql, &reason) ? "row-local" : reason;
  }
};

TEST_F(RowLocal, ProjectionsAndFiltersAre) {
  EXPECT_EQ(why("SELECT * FROM {0}"), "row-local");
  EXPECT_EQ(why("SELECT k, v * 2 AS w, lower(s) FROM {0} WHERE v > 1 AND s LIKE 'a%'"),
            "row-local");
  EXPECT_EQ(why("SELECT t.k, ('0x' || left(hex(t.key), 2))::INTEGER * 16 // 256 AS bucket "
                "FROM {0} AS t"),
            "row-local");
  EXPECT_EQ(why("SELECT list_transform(xs, x -> x + 1) AS ys, CAST(d AS DATE) FROM {0}"),
            "row-local");
  EXPECT_EQ(why("SELECT *, random() AS r FROM {0};"), "row-local");
}

TEST_F(RowLocal, WhatReadsOtherRowsIsNot) {
  EXPECT_EQ(why("SELECT count(*) FROM {0}"), "an aggregate (count_star)");
  EXPECT_EQ(why("SELECT k, sum(v) FROM {0} GROUP BY k"), "GROUP BY or HAVING");
  EXPECT_EQ(why("SELECT max(v) FROM {0}"), "an aggregate (max)");
  EXPECT_EQ(why("SELECT k, row_number() OVER (ORDER BY v) FROM {0}"), "a window function");
  EXPECT_EQ(why("SELECT * FROM {0} QUALIFY row_number() OVER () = 1"), "QUALIFY or a sample");
  EXPECT_EQ(why("SELECT DISTINCT k FROM {0}"), "DISTINCT, ORDER BY or LIMIT");
  EXPECT_EQ(why("SELECT * FROM {0} ORDER BY k"), "DISTINCT, ORDER BY or LIMIT");
  EXPECT_EQ(why("SELECT * FROM {0} LIMIT 10"), "DISTINCT, ORDER BY or LIMIT");
  EXPECT_EQ(why("SELECT * FROM {0} WHERE v > (SELECT avg(v) FROM {0})"),
            "placeholders other than one {0}");
  EXPECT_EQ(why("SELECT * FROM {0} WHERE v IN (SELECT 1)"), "a subquery");
  EXPECT_EQ(why("SELECT * FROM {0} USING SAMPLE 10%"), "QUALIFY or a sample");
  EXPECT_EQ(why("WITH c AS (SELECT * FROM {0}) SELECT * FROM c"), "a WITH clause");
  EXPECT_EQ(why("SELECT * FROM {0} UNION ALL SELECT 1"), "not a plain SELECT");
  EXPECT_EQ(why("SELECT * FROM {0} JOIN t USING (k)"), "it does not read {0} alone");
  EXPECT_EQ(why("SELECT * FROM {0} WHERE k = '{1}'"), "placeholders other than one {0}");
  EXPECT_EQ(why("SELEC * FROM {0}"), "not one statement DuckDB can parse");
}

}  // namespace
}  // namespace smallpond
