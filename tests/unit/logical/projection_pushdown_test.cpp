// Which input columns a query reads (projection pushdown into shuffles): names from DuckDB's
// parse, checked by binding over the kept columns alone.
#include "logical/projection_pushdown.h"

#include <gtest/gtest.h>

#include "engine/engine.h"

namespace smallpond {
namespace {

class ColumnsRead : public ::testing::Test {
 protected:
  Engine engine;
  std::unique_ptr<EngineConnection> con = engine.connect();
  // The input: five columns, one a struct.
  const std::string input =
      "SELECT 'a' AS k, 1 AS v, 2.5 AS w, {'x': 1, 'y': 'z'} AS s, DATE '2024-01-01' AS d "
      "LIMIT 0";
  std::string kept(const std::vector<std::string>& queries,
                   const std::vector<std::string>& keys = {}) {
    std::string why;
    auto columns = columns_read(*con, queries, keys, input, &why);
    if (!columns) return "all (" + why + ")";
    std::string out;
    for (auto& c : *columns) out += (out.empty() ? "" : ",") + c;
    return out;
  }
};

TEST_F(ColumnsRead, NamesAnywhereInTheQueryAreKeptInInputOrder) {
  EXPECT_EQ(kept({"SELECT w, k FROM {0} WHERE v > 0"}), "k,v,w");
  EXPECT_EQ(kept({"SELECT t.w FROM {0} AS t"}), "w");
  EXPECT_EQ(kept({"SELECT s.x FROM {0}"}), "s");  // a struct field: the struct column
  EXPECT_EQ(kept({"SELECT list_transform([1, 2], v -> v + w) FROM {0}"}), "v,w");
  EXPECT_EQ(kept({"WITH c AS (SELECT k, v FROM {0}) SELECT k FROM c WHERE v > 1"}), "k,v");
  EXPECT_EQ(kept({"SELECT count(*) AS n, max(d) FROM {0}"}), "d");
  EXPECT_EQ(kept({"SELECT k FROM {0}", "SELECT d FROM {0}"}, {"v"}), "k,v,d");
}

TEST_F(ColumnsRead, QueriesThatNeedEveryColumnKeepAll) {
  EXPECT_EQ(kept({"SELECT * FROM {0}"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT COLUMNS('[kv]') FROM {0}"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT * EXCLUDE (d) FROM {0}"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT t FROM {0} AS t"}).substr(0, 3), "all");  // the row as a struct
  EXPECT_EQ(kept({"SELECT k, v, w, s, d FROM {0}"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT k FROM {0}; SELECT v FROM {0}"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT k FROM {0} JOIN {1} USING (k)"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT nope FROM {0}"}).substr(0, 3), "all");  // does not bind at all
}

}  // namespace
}  // namespace smallpond
