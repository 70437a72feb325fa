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
    std::vector<ShuffleReader> readers;
    for (auto& q : queries) readers.push_back(ShuffleReader::over_shuffle_alone(q));
    return kept_by(readers, keys);
  }
  std::string kept_by(const std::vector<ShuffleReader>& readers,
                      const std::vector<std::string>& keys = {}) {
    std::string why;
    auto columns = columns_read(*con, readers, keys, input, &why);
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
  // A subquery's alias named like nothing in the input is not a whole row of it.
  EXPECT_EQ(kept({"SELECT q.v FROM (SELECT v FROM {0}) q"}), "v");
  // Join columns named only in USING are read.
  EXPECT_EQ(kept({"SELECT a.v FROM {0} a JOIN {0} b USING (k)"}), "k,v");
}

TEST_F(ColumnsRead, QueriesThatNeedEveryColumnKeepAll) {
  EXPECT_EQ(kept({"SELECT * FROM {0}"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT COLUMNS('[kv]') FROM {0}"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT * EXCLUDE (d) FROM {0}"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT t FROM {0} AS t"}).substr(0, 3), "all");  // the row as a struct
  // A whole row beside named columns: its value depends on every column, its type would not
  // tell (a hash of the row is a UBIGINT over any columns).
  EXPECT_EQ(kept({"SELECT v, hash(t) AS h FROM {0} AS t"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT v, md5(t::VARCHAR) AS h FROM {0} t"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT v, hash({0}) AS h FROM {0}"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT a.v FROM {0} a JOIN (SELECT k AS t FROM {0}) b ON a.k = b.t "
                  "WHERE hash(a) > 0"})
                .substr(0, 3),
            "all");
  // A natural join matches on every common column, and would match on fewer.
  EXPECT_EQ(kept({"SELECT a.v FROM {0} a NATURAL JOIN {0} b"}).substr(0, 3), "all");
  // Columns by position would be other columns.
  EXPECT_EQ(kept({"SELECT #2 AS x, k FROM {0}"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT a, v FROM {0} AS t(a)"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT k, v, w, s, d FROM {0}"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT k FROM {0}; SELECT v FROM {0}"}).substr(0, 3), "all");
  EXPECT_EQ(kept({"SELECT k FROM {0} JOIN {1} USING (k)"}).substr(0, 3), "all");  // {1} unknown
  EXPECT_EQ(kept({"SELECT nope FROM {0}"}).substr(0, 3), "all");  // does not bind at all
}

// A join of the shuffle with another input: names are kept when the shuffle has them, whichever
// table the query meant; the binding check sees both inputs' columns.
TEST_F(ColumnsRead, AJoinKeepsTheNamesTheShuffleHas) {
  const std::string other = "SELECT 'a' AS k, 3 AS x, 'q' AS w2 LIMIT 0";
  auto join = [&](const std::string& sql, std::vector<std::string> inputs) {
    return kept_by({ShuffleReader{sql, std::move(inputs)}});
  };
  EXPECT_EQ(join("SELECT a.v, b.x FROM {0} a JOIN {1} b USING (k)", {"", other}), "k,v");
  EXPECT_EQ(join("SELECT a.x, b.d FROM {0} a JOIN {1} b ON a.k = b.k", {other, ""}), "k,d");
  // An unqualified name of the other input's that the shuffle has too (w) is kept.
  EXPECT_EQ(
      join("SELECT x, a.k, b.w2 FROM {0} a JOIN {1} b ON a.k = b.k WHERE a.v > 0", {"", other}),
      "k,v");
  // The shuffle at both places: pruned at both.
  EXPECT_EQ(join("SELECT a.v, b.w FROM {0} a JOIN {1} b ON a.k = b.k", {"", ""}), "k,v,w");
  // Whole rows, natural joins: all.
  EXPECT_EQ(join("SELECT a.v, hash(a) FROM {0} a JOIN {1} b USING (k)", {"", other}).substr(0, 3),
            "all");
  EXPECT_EQ(join("SELECT v FROM {0} NATURAL JOIN {1}", {"", other}).substr(0, 3), "all");
}

}  // namespace
}  // namespace smallpond
