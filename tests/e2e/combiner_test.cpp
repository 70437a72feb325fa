// Two-phase aggregation across a shuffle (logical/aggregate_split.h): the combined plan gives
// exactly what the plan without it gives and what DuckDB gives on the unpartitioned data —
// column names and types included — with NULL keys and values, non-ASCII keys and empty
// partitions; queries it cannot prove equal are left alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "common/strings.h"
#include "engine/engine.h"
#include "io/filesystem.h"
#include "smallpond/smallpond.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::duckdb_query;
using testing::sorted;

// 5 keys (one NULL, two not ASCII) over 3 files; NULL values too.
struct CombinerData {
  testing::TempDir dir;
  std::string glob;
  CombinerData() {
    make_dirs(dir / "in");
    for (int f = 0; f < 3; f++)
      duckdb_query(
          "COPY (SELECT CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN 'ä' WHEN 2 THEN '東京' WHEN 3 "
          "THEN 'a' ELSE 'b' END AS k, i % 3 AS k2, CASE WHEN i % 7 = 0 THEN NULL ELSE i * 1.5 "
          "END AS v, (i * 37) % 101 AS w, (i % 13) / 3.0::DOUBLE AS d FROM range(" +
          std::to_string(f * 1000) + ", " + std::to_string(f * 1000 + 1000) + ") r(i)) TO '" +
          (dir / "in") + "/part-" + std::to_string(f) + ".parquet' (FORMAT parquet)");
    glob = dir / "in/*.parquet";
  }
};

struct JobResult {
  Table table;
  std::string explain;
};

Options job_options(const CombinerData& data, bool optimize, const std::string& job) {
  Options o;
  o.job_dir = data.dir / job;
  o.executors = 2;
  o.progress = false;
  o.optimize = optimize;
  return o;
}

// The query over the data hash-partitioned by `keys` into `partitions`, optimised or not.
JobResult run(const CombinerData& data, const std::string& query,
              const std::vector<std::string>& keys, int partitions, bool optimize,
              const std::string& job) {
  auto sp = init(job_options(data, optimize, job));
  auto df = sp.partial_sql(query, sp.read_parquet(data.glob).repartition(partitions, keys));
  return {sorted(df.to_table()), df.explain()};
}

void expect_same_as_duckdb(const CombinerData& data, const std::string& query,
                           const std::vector<std::string>& keys, int partitions, bool combined) {
  SCOPED_TRACE(query);
  JobResult with = run(data, query, keys, partitions, true, "with");
  JobResult without = run(data, query, keys, partitions, false, "without");
  std::string truth_sql = query;
  truth_sql.replace(truth_sql.find("{0}"), 3, "read_parquet('" + data.glob + "')");
  for (size_t at = truth_sql.find("{{"); at != std::string::npos; at = truth_sql.find("{{", at))
    truth_sql.erase(at, 1);  // the template's escaped brace is one brace
  Table truth = sorted(duckdb_query(truth_sql));
  EXPECT_EQ(with.table.column_names, truth.column_names);
  EXPECT_EQ(with.table.column_types, truth.column_types);
  EXPECT_EQ(with.table.rows, truth.rows);
  EXPECT_EQ(without.table.column_names, truth.column_names);
  EXPECT_EQ(without.table.rows, truth.rows);
  EXPECT_EQ(with.explain.find("combiner") != std::string::npos, combined) << with.explain;
  EXPECT_EQ(without.explain.find("combiner"), std::string::npos);
}

TEST(Combiner, CountsMinimaAndMaximaAreCombinedBeforeTheShuffle) {
  CombinerData data;
  expect_same_as_duckdb(data,
                        "SELECT k, count(*), count(v) AS nv, min(v), max(w) AS hi, min(k2) "
                        "FROM {0} GROUP BY k",
                        {"k"}, 4, true);
  // More partitions than keys: empty partitions; two keys, one of them the partition key.
  expect_same_as_duckdb(data,
                        "SELECT t.k, k2, max(v) - min(v) AS spread, count(*) + 1 AS n1 "
                        "FROM {0} AS t WHERE w > 10 GROUP BY t.k, k2 HAVING count(*) > 3 "
                        "ORDER BY 1, 2",
                        {"k"}, 8, true);
  // Exact sums (the source's columns are known): of integers, carried as DECIMAL(38,0) across
  // the shuffle and cast back; of decimals.
  expect_same_as_duckdb(data,
                        "SELECT k, sum(w)::BIGINT AS s, sum(v) AS sv, sum(w + k2) > 100 AS big "
                        "FROM {0} GROUP BY k",
                        {"k"}, 4, true);
  // Partitioned by both group keys.
  expect_same_as_duckdb(data, "SELECT k2, k, max(v) AS mx FROM {0} GROUP BY k, k2", {"k", "k2"}, 3,
                        true);
}

// The partial results are named __sp_p0, __sp_p1, ...: a query over columns of such names is
// left alone (combined, max(x) AS __sp_p0 would stand where the key __sp_p0 was meant).
TEST(Combiner, AQueryThatNamesThePartialResultsNamesIsLeftAlone) {
  testing::TempDir dir;
  make_dirs(dir / "in");
  duckdb_query(
      "COPY (SELECT * FROM (VALUES (1, 7, 100), (1, 7, 200), (2, 8, 300)) t(k, __sp_p0, "
      "x)) TO '" +
      (dir / "in/part-0.parquet") + "' (FORMAT parquet)");
  Options o;
  o.job_dir = dir / "job";
  o.executors = 2;
  o.progress = false;
  auto sp = init(o);
  auto df = sp.partial_sql("SELECT k, __sp_p0, max(x) AS m FROM {0} GROUP BY k, __sp_p0",
                           sp.read_parquet(dir / "in/*.parquet").repartition(2, "k"));
  Table t = sorted(df.to_table());
  EXPECT_EQ(t.rows, sorted(duckdb_query("SELECT * FROM (VALUES (1, 7, 200), (2, 8, 300)) "
                                        "t(k, __sp_p0, m)"))
                        .rows);
  EXPECT_EQ(df.explain().find("combiner"), std::string::npos) << df.explain();
}

TEST(Combiner, WhatItCannotProveEqualIsLeftAlone) {
  CombinerData data;
  const char* queries[] = {
      "SELECT k, avg(w) AS a FROM {0} GROUP BY k",  // avg: DuckDB divides in long double
      "SELECT k, sum(d) AS s FROM {0} GROUP BY k",  // a floating-point sum: order-dependent
      "SELECT k, count(DISTINCT w) AS n FROM {0} GROUP BY k",          // DISTINCT
      "SELECT k, count(*) FILTER (WHERE w > 50) FROM {0} GROUP BY k",  // FILTER
      "SELECT k, max(w) AS m, string_agg(k2::VARCHAR, ',' ORDER BY k2) AS l FROM {0} GROUP BY k",
      "SELECT k, count(*) AS n, '{{' AS brace FROM {0} GROUP BY k",  // an escaped brace
      // WHERE names an expression of the select list; GROUP BY names one:
      "SELECT k, upper(k) AS uk, count(*) AS n FROM {0} WHERE uk <> 'A' GROUP BY k",
      "SELECT k, w % 2 AS odd, count(*) AS n FROM {0} GROUP BY k, odd",
  };
  for (const char* query : queries) expect_same_as_duckdb(data, query, {"k"}, 4, false);
  // A sum of HUGEINTs: a partial sum may not fit the DECIMAL(38,0) it would cross the shuffle as.
  expect_same_as_duckdb(data, "SELECT k, CAST(sum(w::HUGEINT) AS BIGINT) AS s FROM {0} GROUP BY k",
                        {"k"}, 4, false);
  // Not grouped by the partition key: each partition's groups are its own (what partial_sql
  // means), so the same rows with and without the optimizer, not DuckDB's.
  const char* by_other = "SELECT k2, count(*) AS n FROM {0} GROUP BY k2";
  JobResult with = run(data, by_other, {"k"}, 4, true, "with_other");
  JobResult without = run(data, by_other, {"k"}, 4, false, "without_other");
  EXPECT_EQ(with.table.rows, without.table.rows);
  EXPECT_EQ(with.explain.find("combiner"), std::string::npos) << with.explain;
}

}  // namespace
}  // namespace smallpond

namespace smallpond {
namespace {

// Projection pushdown (logical/projection_pushdown.h): the shuffle carries only the columns its
// readers use, with the same result as without the rule and as DuckDB.
std::string carried(const std::string& explain) {
  size_t at = explain.find("[carries only: ");
  if (at == std::string::npos) return "";
  at += std::string("[carries only: ").size();
  return explain.substr(at, explain.find(']', at) - at);
}

TEST(ProjectionPushdown, AShuffleCarriesOnlyTheColumnsItsQueryReads) {
  CombinerData data;
  // No aggregate (no combiner): the shuffle carries k (its key), v and w, not k2 or d.
  std::string query = "SELECT k, v * 2 AS twice FROM {0} WHERE w > 50";
  expect_same_as_duckdb(data, query, {"k"}, 3, false);
  JobResult with = run(data, query, {"k"}, 3, true, "pushdown");
  EXPECT_EQ(carried(with.explain), "k, v, w") << with.explain;
  // The producers' files (chunk files: only the next step reads them) hold those columns only.
  int files = 0;
  Engine engine;
  auto con = engine.connect();
  for (auto& f : list_files_recursive(data.dir / "pushdown"))
    if (f.find("hash_produce") != std::string::npos && ends_with(f, ".chunks")) {
      Table cols =
          con->query("SELECT column_name FROM (DESCRIBE SELECT * FROM __smallpond_chunks(['" +
                     data.dir / "pushdown" + "/" + f + "'])) ORDER BY 1");
      ASSERT_EQ(cols.num_rows(), 3u) << f;
      EXPECT_EQ(cols.rows[0][0].as_string(), "k");
      EXPECT_EQ(cols.rows[1][0].as_string(), "v");
      EXPECT_EQ(cols.rows[2][0].as_string(), "w");
      files++;
    }
  EXPECT_GT(files, 0);
}

TEST(ProjectionPushdown, QueriesThatNeedEveryColumnOrTheRowKeepAll) {
  CombinerData data;
  for (std::string query :
       {"SELECT * FROM {0} WHERE w > 90", "SELECT COLUMNS('k.*') FROM {0}",
        "SELECT t FROM {0} AS t WHERE w > 99", "SELECT k, v, w, k2, d FROM {0} WHERE w > 99",
        // A whole row beside named columns: the hash would be of fewer columns, the same type.
        "SELECT k, v, hash(t) AS h FROM {0} AS t WHERE w > 90",
        "SELECT a.k, a.v FROM {0} a NATURAL JOIN {0} b WHERE a.w > 90"}) {
    JobResult with = run(data, query, {"k"}, 2, true, "keep-" + std::to_string(query.size()));
    EXPECT_EQ(carried(with.explain), "") << query << "\n" << with.explain;
    JobResult without =
        run(data, query, {"k"}, 2, false, "keep-raw-" + std::to_string(query.size()));
    EXPECT_EQ(with.table.rows, without.table.rows) << query;
  }
}

// Predicate pushdown (logical/predicate_pushdown.h): each shuffle's producers drop the rows the
// reading step's WHERE clause drops; the result is what the plan without the rule gives and
// what DuckDB gives on the unpartitioned inputs.
// The second input of the join tests: 60 rows over the same keys (one NULL, two not ASCII).
std::string write_other(const CombinerData& data) {
  make_dirs(data.dir / "other");
  duckdb_query(
      "COPY (SELECT CASE i % 4 WHEN 0 THEN 'ä' WHEN 1 THEN '東京' WHEN 2 THEN 'a' ELSE "
      "NULL END AS k, i AS x, i * 2 AS y FROM range(60) r(i)) TO '" +
      (data.dir / "other/o.parquet") + "' (FORMAT parquet)");
  return data.dir / "other/o.parquet";
}

// A join of the data ({0}) and write_other's table ({1}), with the optimizer and without it,
// against DuckDB on the unpartitioned inputs.
void expect_join_truth(const CombinerData& data, const std::string& query, const JobResult& with,
                       const JobResult& without) {
  std::string truth_sql = query;
  truth_sql.replace(truth_sql.find("{0}"), 3, "read_parquet('" + data.glob + "')");
  truth_sql.replace(truth_sql.find("{1}"), 3,
                    "read_parquet('" + (data.dir / "other/o.parquet") + "')");
  Table truth = sorted(duckdb_query(truth_sql));
  ASSERT_GT(truth.num_rows(), 0u);
  EXPECT_EQ(with.table.column_names, truth.column_names);
  EXPECT_EQ(with.table.rows, truth.rows);
  EXPECT_EQ(without.table.rows, truth.rows);
}

TEST(PredicatePushdown, EachShuffleKeepsOnlyTheRowsTheWhereClauseMayKeep) {
  CombinerData data;
  write_other(data);
  struct Case {
    std::string query;
    int filters;  // shuffles that get a filter
  };
  std::vector<Case> cases = {
      // Conditions on each input alone, one on both, one that may be NULL.
      {"SELECT a.k, a.v, b.x FROM {0} a JOIN {1} b ON a.k = b.k WHERE a.w > 50 AND b.x % 3 = 0 "
       "AND a.k2 + b.y > 10 AND a.v IS NOT NULL",
       2},
      // Grouped after the join.
      {"SELECT a.k, count(*) AS n, sum(b.x)::BIGINT AS sx FROM {0} a, {1} b WHERE a.k = b.k "
       "AND a.d < 2 GROUP BY a.k",
       1},
      // An outer join: only its kept side's conditions move; on the padded side a row whose
      // matches were all dropped would come back with NULLs, which this condition keeps.
      {"SELECT a.k, a.w, b.x FROM {0} a LEFT JOIN {1} b ON a.k = b.k AND b.x > 5 WHERE "
       "a.w > 90 AND (b.y IS NULL OR b.y > 100)",
       1},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(c.query);
    auto run_join = [&](bool optimize, const std::string& job) {
      auto sp = init(job_options(data, optimize, job));
      auto df = sp.partial_sql(c.query, sp.read_parquet(data.glob).repartition(3, {"k"}),
                               sp.read_parquet(data.dir / "other").repartition(3, {"k"}));
      return JobResult{sorted(df.to_table()), df.explain()};
    };
    JobResult with = run_join(true, "filter_with");
    JobResult without = run_join(false, "filter_without");
    expect_join_truth(data, c.query, with, without);
    int filters = 0;
    for (size_t at = with.explain.find("in each producer"); at != std::string::npos;
         at = with.explain.find("in each producer", at + 1))
      filters++;
    EXPECT_EQ(filters, c.filters) << with.explain;
  }
  // One input: its WHERE clause, not the select list's alias of the same name.
  for (std::string query : {"SELECT k, v * 2 AS w FROM {0} WHERE w > 50",
                            "SELECT k, w * 2 AS dbl FROM {0} WHERE dbl > 50"})
    expect_same_as_duckdb(data, query, {"k"}, 3, false);
  JobResult one = run(data, "SELECT k, v * 2 AS w FROM {0} WHERE w > 50", {"k"}, 3, true, "one");
  EXPECT_NE(one.explain.find("WHERE (w > 50)]"), std::string::npos) << one.explain;
}

// Generated WHERE clauses (a fixed seed) over joins of two shuffles and over one: with the
// optimizer (predicate and projection pushdown) the result is what DuckDB gives on the
// unpartitioned inputs, NULLs and non-ASCII keys included.
TEST(PredicatePushdown, GeneratedWhereClausesGiveWhatDuckDBGives) {
  CombinerData data;
  std::string other = write_other(data);
  const std::vector<std::string> on_a = {"a.w > 37",
                                         "a.w % 7 = 3",
                                         "a.v IS NULL",
                                         "a.v IS NOT NULL",
                                         "a.k2 IN (0, 2)",
                                         "a.k LIKE '東%'",
                                         "coalesce(a.v, 0) < 700",
                                         "a.d BETWEEN 1 AND 3",
                                         "upper(a.k) <> 'B'",
                                         "NOT (a.w < 20)",
                                         "a.k IS NOT DISTINCT FROM NULL"};
  const std::vector<std::string> on_b = {"b.x % 3 = 1",     "b.y > 40",
                                         "NOT (b.x < 10)",  "b.k <> 'a'",
                                         "b.y IS NOT NULL", "(b.y IS NULL OR b.y > 90)"};
  const std::vector<std::string> on_both = {"a.w + b.x > 60", "(a.w > 50 OR b.x < 5)",
                                            "CASE WHEN a.k = 'a' THEN a.w > 10 ELSE b.y < 80 END",
                                            "a.k2 = b.x % 3"};
  const std::vector<std::string> joins = {
      "{0} a JOIN {1} b ON a.k = b.k", "{0} a JOIN {1} b USING (k)",
      "{0} a LEFT JOIN {1} b ON a.k = b.k", "{1} b RIGHT JOIN {0} a ON a.k = b.k AND b.x > 20",
      "{0} a FULL JOIN {1} b ON a.k = b.k"};
  std::mt19937 random(20261206);
  auto pick = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(random)];
  };
  auto sp = init(job_options(data, true, "generated"));
  auto a = sp.read_parquet(data.glob).repartition(3, {"k"});
  auto b = sp.read_parquet(data.dir / "other").repartition(3, {"k"});
  int pushed = 0;
  size_t joined = 0;  // each form of join in turn
  for (int q = 0; q < 16; q++) {
    std::vector<std::string> conditions;
    int n = 1 + static_cast<int>(random() % 4);
    for (int c = 0; c < n; c++) {
      int kind = static_cast<int>(random() % 3);
      conditions.push_back(kind == 0 ? pick(on_a) : kind == 1 ? pick(on_b) : pick(on_both));
    }
    std::string query;
    bool one_input = q % 5 == 4;
    if (one_input) {  // the first input's conditions, unqualified
      std::vector<std::string> own;
      for (auto& c : conditions)
        if (c.find("b.") == std::string::npos) own.push_back(c);
      if (own.empty()) own.push_back(pick(on_a));
      std::string text = join(own, " AND ");
      for (size_t at; (at = text.find("a.")) != std::string::npos;) text.erase(at, 2);
      query = "SELECT k, w, v FROM {0} WHERE " + text;
    } else if (q % 2 == 0) {
      query = "SELECT a.k, a.w, b.x FROM " + joins[joined++ % joins.size()] + " WHERE " +
              join(conditions, " AND ");
    } else {
      query = "SELECT a.k, count(*) AS n, sum(a.w + b.x)::BIGINT AS s FROM " +
              joins[joined++ % joins.size()] + " WHERE " + join(conditions, " AND ") +
              " GROUP BY a.k";
    }
    SCOPED_TRACE(query);
    auto df = one_input ? sp.partial_sql(query, a) : sp.partial_sql(query, a, b);
    Table got = sorted(df.to_table());
    if (df.explain().find("in each producer") != std::string::npos) pushed++;
    std::string truth_sql = query;
    truth_sql.replace(truth_sql.find("{0}"), 3, "read_parquet('" + data.glob + "')");
    if (!one_input) truth_sql.replace(truth_sql.find("{1}"), 3, "read_parquet('" + other + "')");
    Table truth = sorted(duckdb_query(truth_sql));
    EXPECT_EQ(got.column_names, truth.column_names);
    EXPECT_EQ(got.rows, truth.rows);
  }
  EXPECT_GT(pushed, 4);  // the rule applied to many of them
}

// A join of two shuffles: each carries the columns the join reads of it, with the same result as
// without the rule and as DuckDB on the unpartitioned inputs.
TEST(ProjectionPushdown, EachShuffleOfAJoinCarriesWhatTheJoinReadsOfIt) {
  CombinerData data;
  make_dirs(data.dir / "other");
  duckdb_query(
      "COPY (SELECT CASE i % 4 WHEN 0 THEN 'ä' WHEN 1 THEN '東京' WHEN 2 THEN 'a' ELSE "
      "NULL END AS k, i AS x, repeat('p', 40) AS pad, i * 2 AS y FROM range(60) r(i)) "
      "TO '" +
      (data.dir / "other/o.parquet") + "' (FORMAT parquet)");
  const std::string query =
      "SELECT a.k, a.v, b.x, a.w + b.y AS wy FROM {0} a JOIN {1} b ON a.k = b.k WHERE a.w > 50";
  auto run_join = [&](bool optimize, const std::string& job) {
    auto sp = init(job_options(data, optimize, job));
    auto df = sp.partial_sql(query, sp.read_parquet(data.glob).repartition(3, {"k"}),
                             sp.read_parquet(data.dir / "other").repartition(3, {"k"}));
    return JobResult{sorted(df.to_table()), df.explain()};
  };
  JobResult with = run_join(true, "join_with");
  JobResult without = run_join(false, "join_without");
  expect_join_truth(data, query, with, without);
  std::vector<std::string> carries;
  for (size_t at = with.explain.find("[carries only: "); at != std::string::npos;
       at = with.explain.find("[carries only: ", at + 1))
    carries.push_back(carried(with.explain.substr(at)));
  std::sort(carries.begin(), carries.end());
  EXPECT_EQ(carries, (std::vector<std::string>{"k, v, w", "k, x, y"})) << with.explain;
  EXPECT_EQ(without.explain.find("[carries only: "), std::string::npos);
}

}  // namespace
}  // namespace smallpond

namespace smallpond {
namespace {

// A row-local SQL step folded into the shuffle after it (logical/row_local.h): its query runs in
// the producers, on their slices of the input; the result is what the plan without the rule
// gives and what DuckDB gives on the unpartitioned data.
JobResult run_folded(const CombinerData& data, const std::string& step,
                     const RepartitionOptions& partition, const std::string& query, bool optimize,
                     const std::string& job) {
  Options o = job_options(data, optimize, job);
  o.shuffle_producers = 3;  // the one input partition is split: the query runs on slices
  auto sp = init(o);
  auto mapped = sp.partial_sql(step, sp.read_parquet(data.glob).repartition(1));
  auto df = sp.partial_sql(query, mapped.repartition(4, partition));
  return {sorted(df.to_table()), df.explain()};
}

// A template's text as DuckDB reads it: {{ and }} are one brace.
std::string unescaped(std::string sql) {
  for (const char* pair : {"{{", "}}"})
    for (size_t at = sql.find(pair); at != std::string::npos; at = sql.find(pair, at + 1))
      sql.erase(at, 1);
  return sql;
}

void expect_folded(const CombinerData& data, const std::string& step,
                   const RepartitionOptions& partition, const std::string& query, bool folded) {
  SCOPED_TRACE(step + " | " + query);
  JobResult with = run_folded(data, step, partition, query, true, "fold_with");
  JobResult without = run_folded(data, step, partition, query, false, "fold_without");
  std::string inner = step;
  inner.replace(inner.find("{0}"), 3, "read_parquet('" + data.glob + "')");
  std::string truth_sql = query;
  truth_sql.replace(truth_sql.find("{0}"), 3, "(" + unescaped(inner) + ")");
  Table truth = sorted(duckdb_query(truth_sql));
  EXPECT_EQ(with.table.column_names, truth.column_names);
  EXPECT_EQ(with.table.rows, truth.rows);
  EXPECT_EQ(without.table.rows, truth.rows);
  EXPECT_EQ(with.explain.find("row-local query in each producer") != std::string::npos, folded)
      << with.explain;
  EXPECT_EQ(without.explain.find("row-local"), std::string::npos);
}

TEST(ShuffleFold, ARowLocalStepRunsInTheShufflesProducers) {
  CombinerData data;
  RepartitionOptions by_k;
  by_k.hash_by = {"k"};
  // A projection and filter before a hash partition; the GROUP BY after it is combined too
  // (the producers run the row-local query, then the partial aggregate).
  expect_folded(data, "SELECT k, k2, v, w * 2 AS w2, upper(k) AS uk FROM {0} WHERE w > 10", by_k,
                "SELECT k, count(*) AS n, max(w2) AS m, min(uk) AS u, count(v) AS nv FROM {0} "
                "GROUP BY k",
                true);
  // The partition index computed by the folded query (as smallpond's users range-partition).
  RepartitionOptions by_bucket;
  by_bucket.by = "bucket";
  expect_folded(data, "SELECT *, w % 4 AS bucket FROM {0}", by_bucket,
                "SELECT bucket, count(*) AS n, min(w) AS lo, max(w) AS hi, "
                "count(DISTINCT bucket) AS one FROM {0} GROUP BY bucket",
                true);
}

// Two steps, the second row-local (fused with the first), before a hash partition by k: what
// is folded into the shuffle's producers, if anything, is the fused query.
JobResult run_fused(const CombinerData& data, const std::string& first, const std::string& second,
                    const std::string& query, bool optimize, const std::string& job) {
  Options o = job_options(data, optimize, job);
  o.shuffle_producers = 3;  // the one input partition is split: a folded query runs on slices
  auto sp = init(o);
  auto one = sp.partial_sql(first, sp.read_parquet(data.glob).repartition(1));
  RepartitionOptions by_k;
  by_k.hash_by = {"k"};
  auto df = sp.partial_sql(query, sp.partial_sql(second, one).repartition(4, by_k));
  return {sorted(df.to_table()), df.explain()};
}

void expect_fused_right(const CombinerData& data, const std::string& first,
                        const std::string& second, const std::string& query,
                        const std::string& truth_sql) {
  SCOPED_TRACE(first + " | " + second + " | " + query);
  Table truth = sorted(duckdb_query(truth_sql));
  JobResult with = run_fused(data, first, second, query, true, "fused_with");
  JobResult without = run_fused(data, first, second, query, false, "fused_without");
  EXPECT_EQ(with.table.rows, truth.rows) << with.explain;
  EXPECT_EQ(without.table.rows, truth.rows);
  EXPECT_EQ(with.explain.find("row-local query in each producer"), std::string::npos)
      << with.explain;
}

// A row-local step fused with the step before it is folded only when the fused query is
// row-local too: an aggregate before it would run once per producer, on slices; a LIMIT would
// keep that many rows per producer; escaped braces ({{ }}) are not read by the check.
TEST(ShuffleFold, ARowLocalStepIsFoldedOnlyWithWhatItIsFusedWith) {
  CombinerData data;
  std::string input = "read_parquet('" + data.glob + "')";
  expect_fused_right(data, "SELECT k, count(*) AS c FROM {0} GROUP BY k",
                     "SELECT k, c * 2 AS c2 FROM {0}", "SELECT k, c2 FROM {0}",
                     "SELECT k, count(*) * 2 AS c2 FROM " + input + " GROUP BY k");
  expect_fused_right(
      data, "SELECT k, w FROM {0} ORDER BY w DESC, k LIMIT 10", "SELECT k, w + 1 AS w1 FROM {0}",
      "SELECT k, w1 FROM {0}",
      "SELECT k, w + 1 AS w1 FROM (SELECT k, w FROM " + input + " ORDER BY w DESC, k LIMIT 10)");
  expect_fused_right(
      data, "SELECT k, w, '{{\"a\": 1}}' AS j FROM {0}", "SELECT k, j FROM {0} WHERE w < 50",
      "SELECT k, j, count(*) AS n FROM {0} "
      "GROUP BY k, j",
      "SELECT k, '{\"a\": 1}' AS j, count(*) AS n FROM " + input + " WHERE w < 50 GROUP BY k");
}

TEST(ShuffleFold, AStepThatReadsOtherRowsIsNotFolded) {
  CombinerData data;
  RepartitionOptions by_k;
  by_k.hash_by = {"k"};
  // Over slices of the input these would give other rows: LIMIT, an aggregate, a window.
  expect_folded(data, "SELECT k, w FROM {0} ORDER BY w, k LIMIT 100", by_k,
                "SELECT k, count(*) AS n, sum(w)::BIGINT AS s FROM {0} GROUP BY k", false);
  expect_folded(data, "SELECT k, count(*) AS c FROM {0} GROUP BY k", by_k, "SELECT k, c FROM {0}",
                false);
  expect_folded(data, "SELECT k, w - avg(w) OVER () > 0 AS above FROM {0}", by_k,
                "SELECT k, count(*) FILTER (WHERE above) AS n FROM {0} GROUP BY k", false);
}

}  // namespace
}  // namespace smallpond
