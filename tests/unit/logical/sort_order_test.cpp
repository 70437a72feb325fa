// Sort orders as DuckDB parses them, and the sort keys built from them: a key's BLOBs compare
// bytewise as DuckDB's ORDER BY orders the rows.
#include "logical/sort_order.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/strings.h"
#include "engine/engine.h"
#include "smallpond/error.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

class SortOrder : public ::testing::Test {
 protected:
  Engine engine;
  std::unique_ptr<EngineConnection> con = engine.connect();
  std::vector<SortKey> parse(const std::string& order) {
    return parse_sort_order(*con, order, "step 's'");
  }
  std::string error_of(const std::string& order) {
    try {
      parse(order);
    } catch (const InvalidInputError& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(SortOrder, DirectionsAndNullOrdersAreSpelledOut) {
  auto keys = parse("a, \"b c\" DESC, lower(d) NULLS FIRST, e ASC NULLS LAST, f DESC NULLS FIRST");
  ASSERT_EQ(keys.size(), 5u);
  EXPECT_EQ(order_by_sql(keys),
            "a ASC NULLS LAST, \"b c\" DESC NULLS LAST, lower(d) ASC NULLS FIRST, "
            "e ASC NULLS LAST, f DESC NULLS FIRST");
  EXPECT_EQ(sort_key_sql({keys[0], keys[1]}, "hash(r)"),
            "create_sort_key(a, 'ASC NULLS LAST', \"b c\", 'DESC NULLS LAST', hash(r), "
            "'ASC NULLS LAST')");
}

TEST_F(SortOrder, WhatIsNotARowExpressionIsRefused) {
  EXPECT_NE(error_of("a LIMIT 3").find("is not an ORDER BY list"), std::string::npos);
  EXPECT_NE(error_of("a; DROP TABLE t").find("is not an ORDER BY list"), std::string::npos);
  EXPECT_NE(error_of("").find("step 's'"), std::string::npos);
  EXPECT_NE(error_of("2").find("column number"), std::string::npos);
  EXPECT_NE(error_of("ALL").find("ALL or *"), std::string::npos);
  EXPECT_NE(error_of("row_number() OVER ()").find("window"), std::string::npos);
  EXPECT_NE(error_of("(SELECT 1)").find("subquery"), std::string::npos);
}

// The sort key of every order, compared as bytes, gives DuckDB's ORDER BY of the same rows.
TEST_F(SortOrder, SortKeysCompareAsTheOrderBy) {
  con->execute(
      "CREATE TABLE t AS SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 37) % 11 - 5 "
      "END AS n, CASE WHEN i % 5 = 0 THEN NULL ELSE (['b', 'Ä', 'a', '', 'ab'])[1 + i % 5] END "
      "AS s, CASE WHEN i % 9 = 0 THEN NULL ELSE ((i * 13) % 17)::DOUBLE / 3 - 2 END AS d "
      "FROM range(200) r(i)");
  for (std::string order : {"n", "n DESC", "n NULLS FIRST, s DESC", "s, d DESC NULLS FIRST",
                            "d, n DESC NULLS LAST", "lower(s) DESC, id"}) {
    auto keys = parse(order + ", id");  // id: a total order, so both sides agree row by row
    Table truth = con->query("SELECT id FROM t ORDER BY " + order + ", id");
    // The keys sorted here, as std::string (bytes compared as unsigned), as the range
    // function compares them.
    Table keyed = con->query("SELECT hex(" + sort_key_sql(keys) + "), id FROM t");
    std::vector<std::pair<std::string, Value>> rows;
    for (auto& row : keyed.rows) rows.emplace_back(from_hex(row[0].as_string()), row[1]);
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    ASSERT_EQ(rows.size(), truth.rows.size());
    for (size_t i = 0; i < rows.size(); i++)
      EXPECT_EQ(rows[i].second, truth.rows[i][0]) << order << ", row " << i;
  }
}

}  // namespace
}  // namespace smallpond
