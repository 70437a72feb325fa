#include "common/strings.h"

#include <gtest/gtest.h>

#include "support/test_env.h"

namespace smallpond {

TEST(Strings, SqlQuotingEscapesQuotes) {
  EXPECT_EQ(sql_string("it's"), "'it''s'");
  EXPECT_EQ(sql_identifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(sql_string_list({"a", "b'c"}), "['a', 'b''c']");
  // The quoted forms read back as the original text in DuckDB.
  Table t = testing::duckdb_query("SELECT " + sql_string("it's") + " AS " + sql_identifier("a\"b"));
  EXPECT_EQ(t.column_names[0], "a\"b");
  EXPECT_EQ(t.rows[0][0].as_string(), "it's");
}

TEST(Strings, StableHashIsDeterministicAndSensitive) {
  EXPECT_EQ(stable_hash("abc"), stable_hash("abc"));
  EXPECT_NE(stable_hash("abc"), stable_hash("abd"));
  EXPECT_EQ(stable_hash("").size(), 32u);
  // XXH3's 128-bit hash of nothing, high 64 bits first: keys and fingerprints written by
  // earlier versions must read the same.
  EXPECT_EQ(stable_hash(""), "99aa06d3014798d86001c324468d497f");
}

TEST(Strings, Trim) {
  EXPECT_EQ(trim("  a b \n"), "a b");
  EXPECT_EQ(trim(" \t "), "");
}

}  // namespace smallpond
