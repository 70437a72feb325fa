// Which part of a query's WHERE clause reads one input alone (predicate pushdown into shuffles):
// from DuckDB's parse, inner joins only, checked by binding when the input's columns are known.
#include "logical/predicate_pushdown.h"

#include <gtest/gtest.h>

#include "engine/engine.h"

namespace smallpond {
namespace {

class FilterForInput : public ::testing::Test {
 protected:
  Engine engine;
  std::unique_ptr<EngineConnection> con = engine.connect();
  const std::string columns = "SELECT 'a' AS k, 1 AS v, 2.5 AS w, 3 AS b LIMIT 0";
  // The filter for input `index` of a two-input query (one-input when it reads {0} alone), or
  // "none (why)".
  std::string filter(const std::string& query, size_t index = 0, size_t inputs = 2,
                     bool known = true) {
    std::string why;
    std::string f = filter_for_input(*con, query, index, inputs, known ? columns : "", &why);
    return f.empty() ? "none (" + why + ")" : f;
  }
  bool none(const std::string& query, size_t index = 0, size_t inputs = 2, bool known = true) {
    return filter(query, index, inputs, known).rfind("none", 0) == 0;
  }
};

const char* const kJoin =
    "SELECT f.k, d.x FROM {0} f JOIN {1} d ON f.k = d.k "
    "WHERE f.b < 500 AND d.x > 3 AND f.k = d.y AND (f.w > 1 OR d.x < 2) AND upper(f.k) <> 'Z'";

TEST_F(FilterForInput, AJoinsConditionsOnOneInputAloneGoToThatInput) {
  std::string left = filter(kJoin, 0);
  EXPECT_NE(left.find("SELECT * FROM {0} WHERE"), std::string::npos) << left;
  EXPECT_NE(left.find("(b < 500)"), std::string::npos) << left;
  EXPECT_NE(left.find("(upper(k) != 'Z')"), std::string::npos) << left;
  EXPECT_EQ(left.find("x"), std::string::npos) << left;   // the other input's conditions
  EXPECT_EQ(left.find("OR"), std::string::npos) << left;  // a condition on both inputs
  // The other input's columns are not known here: its qualified conditions still go.
  std::string right = filter(kJoin, 1, 2, /*known=*/false);
  EXPECT_NE(right.find("(x > 3)"), std::string::npos) << right;
  EXPECT_EQ(right.find("b <"), std::string::npos) << right;
  // The same over a comma join, and with the input unaliased.
  EXPECT_NE(filter("SELECT * FROM {1} d, {0} WHERE {0}.v = 2 AND d.k = {0}.k", 0).find("(v = 2)"),
            std::string::npos);
}

TEST_F(FilterForInput, WhatMayKeepOtherRowsIsNotPushed) {
  // The padded side of an outer join: a row whose matches were all filtered away would come
  // back padded with NULLs, which such a condition keeps.
  const char* left =
      "SELECT f.k FROM {0} f LEFT JOIN {1} d ON f.k = d.k WHERE (d.x IS NULL OR "
      "d.x > 3) AND f.b < 5";
  EXPECT_TRUE(none(left, 1, 2, /*known=*/false));
  EXPECT_NE(filter(left, 0).find("(b < 5)"), std::string::npos);  // the kept side
  const char* right =
      "SELECT f.k FROM {1} d RIGHT JOIN {0} f ON f.k = d.k WHERE f.b < 5 AND "
      "d.x > 1";
  EXPECT_NE(filter(right, 0).find("(b < 5)"), std::string::npos);
  EXPECT_TRUE(none(right, 1, 2, /*known=*/false));
  EXPECT_TRUE(none("SELECT f.k FROM {0} f FULL JOIN {1} d ON f.k = d.k WHERE f.b < 5"));
  EXPECT_NE(
      filter("SELECT f.k FROM {0} f SEMI JOIN {1} d ON f.k = d.k WHERE f.b < 5", 0).find("(b < 5)"),
      std::string::npos);
  // Natural and positional joins pair rows otherwise.
  EXPECT_TRUE(none("SELECT f.k FROM {0} f NATURAL JOIN {1} d WHERE f.b < 5"));
  EXPECT_TRUE(none("SELECT f.k FROM {0} f POSITIONAL JOIN {1} d WHERE f.b < 5"));
  // In a join an unqualified name may be either input's.
  EXPECT_TRUE(none("SELECT f.k FROM {0} f JOIN {1} d USING (k) WHERE b < 5"));
  // Volatile functions, subqueries, the input read twice, WITH, set operations, samples.
  EXPECT_TRUE(none("SELECT f.k FROM {0} f JOIN {1} d USING (k) WHERE f.b < random() * 9"));
  EXPECT_TRUE(none("SELECT f.k FROM {0} f JOIN {1} d USING (k) WHERE f.k IN (SELECT 'a')"));
  EXPECT_TRUE(none("SELECT a.k FROM {0} a JOIN {0} b USING (k) WHERE a.b < 5", 0, 1));
  EXPECT_TRUE(none("WITH c AS (SELECT * FROM {1}) SELECT f.k FROM {0} f, c WHERE f.b < 5"));
  EXPECT_TRUE(none("SELECT k FROM {0} WHERE b < 5 UNION ALL SELECT k FROM {1}"));
  EXPECT_TRUE(none("SELECT k FROM {0} USING SAMPLE 10 ROWS WHERE b < 5", 0, 1));
  EXPECT_TRUE(none("SELECT f.k FROM {0} f JOIN {1} d USING (k)"));  // no WHERE
}

TEST_F(FilterForInput, TheInputAloneTakesUnqualifiedNamesWhenTheyBind) {
  std::string f = filter("SELECT k, v FROM {0} WHERE w > 1.5 AND v IS NOT NULL", 0, 1);
  EXPECT_NE(f.find("(w > 1.5)"), std::string::npos) << f;
  EXPECT_NE(f.find("(v IS NOT NULL)"), std::string::npos) << f;
  // Grouped: WHERE still comes before the groups; HAVING stays.
  f = filter("SELECT k, count(*) FROM {0} WHERE b > 2 GROUP BY k HAVING count(*) > 1", 0, 1);
  EXPECT_NE(f.find("(b > 2)"), std::string::npos) << f;
  EXPECT_EQ(f.find("count"), std::string::npos) << f;
  // WHERE naming the select list's alias: not a column of the input.
  EXPECT_TRUE(none("SELECT v * 2 AS dbl FROM {0} WHERE dbl > 4", 0, 1));
  // Columns not known: nothing can tell a column from an alias.
  EXPECT_TRUE(none("SELECT k, v FROM {0} WHERE w > 1.5", 0, 1, /*known=*/false));
  // Braces in a literal would read as placeholders in the filter.
  EXPECT_TRUE(none("SELECT k FROM {0} WHERE k <> '{{'", 0, 1));
}

}  // namespace
}  // namespace smallpond
