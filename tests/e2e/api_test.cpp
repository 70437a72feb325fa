// End to end through the C++ API: results against DuckDB run directly on the unpartitioned
// input, partitioning properties, resume and recomputation.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "common/system.h"
#include "e2e/cli_run.h"
#include "io/filesystem.h"
#include "smallpond/smallpond.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::contains;
using testing::duckdb_query;
using testing::sorted;

std::string prices_glob() { return testing::small_prices_dir() + "/*.parquet"; }
std::string read_all(const std::string& glob) { return "read_parquet('" + glob + "')"; }

// An order-independent fingerprint of a multiset of rows.
const char* kFingerprint =
    "SELECT count(*) AS n, sum(hash(ticker, date, price, volume)::HUGEINT) AS h FROM ";

Options options_in(const testing::TempDir& dir, int executors = 2) {
  Options o;
  o.job_dir = dir / "job";
  o.executors = executors;
  o.progress = false;
  return o;
}

TEST(Api, QuickstartEqualsDuckDB) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  auto df = sp.read_parquet(prices_glob());
  df = df.repartition(3, "ticker");
  const std::string query =
      "SELECT ticker, min(price) AS lo, max(price) AS hi, count(*) AS n FROM {0} GROUP BY ticker";
  df = sp.partial_sql(query, df);
  df.write_parquet(dir / "out");

  Table truth =
      sorted(duckdb_query("SELECT ticker, min(price) AS lo, max(price) AS hi, count(*) AS n FROM " +
                          read_all(prices_glob()) + " GROUP BY ticker"));
  Table written = sorted(duckdb_query("SELECT * FROM " + read_all(dir / "out/*.parquet")));
  EXPECT_EQ(written.column_names, truth.column_names);
  EXPECT_EQ(written.rows, truth.rows);
  EXPECT_EQ(sorted(df.to_table()).rows, truth.rows);
  EXPECT_EQ(df.count(), 50);
  EXPECT_EQ(df.take(7).num_rows(), 7u);
  EXPECT_EQ(df.num_partitions(), 3);
}

// Task outputs read only by later tasks are cheap to write: a SQL step's as uncompressed
// Parquet, a shuffle's buckets as chunk files. What write_parquet publishes is Parquet with
// DuckDB's default codec (snappy), a shuffle's buckets included.
TEST(Api, IntermediateFilesAreUncompressedAndPublishedOnesAreNot) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  auto codecs = [&](const std::string& glob, const std::string& name_like = "%") {
    Table t = duckdb_query("SELECT DISTINCT compression FROM parquet_metadata('" + glob +
                           "') WHERE file_name LIKE '" + name_like + "' ORDER BY 1");
    std::vector<std::string> out;
    for (auto& row : t.rows) out.push_back(row[0].as_string());
    return out;
  };
  auto files_named = [&](const std::string& dir, const std::string& part) {
    int n = 0;
    for (auto& f : list_files_recursive(dir)) n += f.find(part) != std::string::npos;
    return n;
  };
  // A shuffle read by a SQL step: chunk files.
  sp.partial_sql("SELECT * FROM {0} WHERE volume >= 0",
                 sp.read_parquet(prices_glob()).repartition(3, "ticker"))
      .write_parquet(dir / "out");
  EXPECT_GT(files_named(dir / "job/data", ".chunks"), 0);
  EXPECT_EQ(files_named(dir / "job/data", "__smallpond_bucket="), 0);
  EXPECT_EQ(codecs(dir / "out/*.parquet"), std::vector<std::string>{"SNAPPY"});
  EXPECT_EQ(duckdb_query(kFingerprint + read_all(dir / "out/*.parquet")).rows,
            duckdb_query(kFingerprint + read_all(prices_glob())).rows);
  // A SQL step read by a shuffle, whose buckets are published: uncompressed, then snappy.
  testing::TempDir second;
  auto sp2 = init(options_in(second));
  sp2.partial_sql("SELECT ticker, count(*) AS n, sum(volume) AS volume FROM {0} GROUP BY ticker",
                  sp2.read_parquet(prices_glob()))
      .repartition(3, "ticker")
      .write_parquet(dir / "out2");
  EXPECT_EQ(codecs(second / "job/data/**/*.parquet", "%sql%"),
            std::vector<std::string>{"UNCOMPRESSED"});
  EXPECT_EQ(files_named(second / "job/data", ".chunks"), 0);
  EXPECT_EQ(codecs(dir / "out2/*.parquet"), std::vector<std::string>{"SNAPPY"});
}

TEST(Api, HashPartitionKeepsEveryRowAndEachKeyInOnePartition) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  for (auto keys :
       {std::vector<std::string>{"ticker"}, std::vector<std::string>{"ticker", "date"}}) {
    auto parts = sp.read_parquet(prices_glob()).repartition(4, keys);
    EXPECT_EQ(parts.num_partitions(), 4);
    // Every row once: the fingerprints of input and partitioned output agree.
    parts.write_parquet(dir / "parts");
    EXPECT_EQ(duckdb_query(kFingerprint + read_all(dir / "parts/*.parquet")).rows,
              duckdb_query(kFingerprint + read_all(prices_glob())).rows);
    // Each key in exactly one partition: per-partition distinct keys never repeat.
    std::string cols = keys.size() == 1 ? keys[0] : keys[0] + ", " + keys[1];
    Table keys_per_partition =
        sp.partial_sql("SELECT DISTINCT " + cols + " FROM {0}", parts).to_table();
    Table distinct = duckdb_query("SELECT DISTINCT " + cols + " FROM " + read_all(prices_glob()));
    EXPECT_EQ(sorted(keys_per_partition).rows, sorted(distinct).rows);
  }
}

// Published buckets are written by smallpond's Parquet bucket copy up to 100 buckets and by
// DuckDB's PARTITION_BY past it: both keep every row once and each key in one output partition
// (files part-<partition>-<index>.parquet).
TEST(Api, PublishedHashPartitionsKeepEveryRowAndEachKeyInOnePartition) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  for (int n : {100, 101}) {
    SCOPED_TRACE(n);
    std::string out = dir / ("parts" + std::to_string(n));
    sp.read_parquet(prices_glob()).repartition(n, "ticker").write_parquet(out);
    EXPECT_EQ(duckdb_query(kFingerprint + read_all(out + "/*.parquet")).rows,
              duckdb_query(kFingerprint + read_all(prices_glob())).rows);
    Table split = duckdb_query(
        "SELECT count(*) FILTER (parts > 1), count(*), max(part) FROM (SELECT ticker, "
        "count(DISTINCT part) AS parts, max(part::INTEGER) AS part FROM (SELECT ticker, "
        "regexp_extract(filename, 'part-([0-9]+)-', 1) AS part FROM read_parquet('" +
        out + "/*.parquet', filename = true)) GROUP BY ticker)");
    EXPECT_EQ(split.rows[0][0].as_int(), 0);  // no ticker in two partitions
    EXPECT_EQ(split.rows[0][1].as_int(),
              duckdb_query("SELECT count(DISTINCT ticker) FROM " + read_all(prices_glob()))
                  .rows[0][0]
                  .as_int());
    EXPECT_LT(split.rows[0][2].as_int(), n);
  }
}

// A hash repartition's producers split a source of few files by rows (5 files into 4 producers
// would be 2, 1, 1, 1 files), and of many by files; every row is shuffled once either way.
TEST(Api, HashProducersShareFewFilesByRows) {
  testing::TempDir dir;
  auto producer_rows = [&](int files, const std::string& name) {
    std::string in = dir / name;
    make_dirs(in);
    for (int f = 0; f < files; f++)
      duckdb_query("COPY (SELECT " + std::to_string(f) + " * 1000 + i AS k, 'v' || i AS v FROM " +
                   "range(1000) t(i)) TO '" + in + "/part-" + std::to_string(f) +
                   ".parquet' (FORMAT parquet)");
    Options o = options_in(dir);
    o.job_dir = dir / ("job-" + name);
    o.shuffle_producers = 4;
    auto sp = init(o);
    sp.read_parquet(in + "/*.parquet")
        .repartition(3, "k")
        .named("parts")
        .write_parquet(dir / ("out-" + name));
    const std::string rows_of = "SELECT count(*), sum(hash(k, v))::HUGEINT FROM ";
    EXPECT_EQ(duckdb_query(rows_of + read_all(dir / ("out-" + name) + "/*.parquet")).rows,
              duckdb_query(rows_of + read_all(in + "/*.parquet")).rows);
    Table t = duckdb_query("SELECT rows FROM read_csv('" + o.job_dir +
                           "/log/tasks-*.csv') WHERE task LIKE 'parts[%' AND status = 'executed' "
                           "ORDER BY rows");
    std::vector<int64_t> rows;
    for (auto& row : t.rows) rows.push_back(row[0].as_int());
    return rows;
  };
  EXPECT_EQ(producer_rows(5, "five"), (std::vector<int64_t>{1250, 1250, 1250, 1250}));
  EXPECT_EQ(producer_rows(17, "seventeen"), (std::vector<int64_t>{4000, 4000, 4000, 5000}));
}

TEST(Api, TaskTraceIsATimeline) {
  testing::TempDir dir;
  Options o = options_in(dir);
  auto sp = init(o);
  auto job = [&] {
    auto parts = sp.read_parquet(prices_glob()).repartition(3, "ticker").named("parts");
    sp.partial_sql("SELECT ticker, count(*) AS n FROM {0} GROUP BY ticker", parts)
        .named("agg")
        .write_parquet(dir / "out");
  };
  job();
  job();  // everything reused
  auto trace = [&](const std::string& which) {
    return "(SELECT * FROM read_csv('" + o.job_dir +
           "/log/tasks-*.csv', filename = true) WHERE filename = (SELECT " + which +
           "(file) FROM glob('" + o.job_dir + "/log/tasks-*.csv')))";
  };
  const std::string first = trace("min");
  // Every attempt that ran: sent, then ended, with its time on the executor in between
  // (seconds has 3 decimals, sent and ended 4).
  Table bad = duckdb_query("SELECT task FROM " + first +
                           " WHERE (status = 'executed' AND 0 <= sent AND sent <= ended AND "
                           "ended - sent >= seconds - 0.001) IS NOT TRUE");
  EXPECT_EQ(bad.num_rows(), 0u) << bad.to_string();
  EXPECT_GT(duckdb_query("SELECT count(*) FROM " + first).rows[0][0].as_int(), 3);
  // What each task did: the shuffle's producers, then the query.
  Table kinds = duckdb_query("SELECT DISTINCT step, kind FROM " + first + " ORDER BY ALL");
  ASSERT_EQ(kinds.num_rows(), 2u) << kinds.to_string();
  EXPECT_EQ(kinds.rows[0][0].as_string() + " " + kinds.rows[0][1].as_string(), "agg sql");
  EXPECT_EQ(kinds.rows[1][0].as_string() + " " + kinds.rows[1][1].as_string(),
            "parts hash_produce");
  // An executor runs one attempt at a time.
  Table overlapping = duckdb_query(
      "SELECT task FROM (SELECT task, sent, lag(ended) OVER (PARTITION BY executor ORDER BY sent) "
      "AS previous FROM " +
      first + ") WHERE sent < previous OR sent IS NULL");
  EXPECT_EQ(overlapping.num_rows(), 0u) << overlapping.to_string();
  // A consumer of the shuffle is sent only after every producer ended.
  Table early = duckdb_query("SELECT task FROM " + first +
                             " WHERE step = 'agg' AND (sent < (SELECT max(ended) FROM " + first +
                             " WHERE step = 'parts')) IS NOT FALSE");
  EXPECT_EQ(early.num_rows(), 0u) << early.to_string();
  // A reused output was neither sent nor ended.
  Table reused = duckdb_query(
      "SELECT status, count(*)::BIGINT, count(sent)::BIGINT, "
      "count(ended)::BIGINT FROM " +
      trace("max") + " GROUP BY ALL");
  ASSERT_EQ(reused.num_rows(), 1u) << reused.to_string();
  EXPECT_EQ(reused.rows[0][0].as_string(), "reused");
  EXPECT_GT(reused.rows[0][1].as_int(), 0);
  EXPECT_EQ(reused.rows[0][2].as_int(), 0);
  EXPECT_EQ(reused.rows[0][3].as_int(), 0);
}

TEST(Api, EvenSplitsKeepEveryRow) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  auto truth = duckdb_query(kFingerprint + read_all(prices_glob())).rows;
  auto by_files = sp.read_parquet(prices_glob()).repartition(4);
  auto by_rows = sp.read_parquet(prices_glob()).repartition_by_rows(5);
  EXPECT_EQ(by_files.num_partitions(), 4);
  EXPECT_EQ(by_rows.num_partitions(), 5);
  for (auto& df : {by_files, by_rows}) {
    auto counted = sp.partial_sql(std::string(kFingerprint) + "{0}", df);
    Table per_partition = counted.to_table();
    ASSERT_EQ(per_partition.num_rows(), size_t(df.num_partitions()));
    df.write_parquet(dir / ("out_" + df.name()));
    EXPECT_EQ(duckdb_query(kFingerprint + read_all(dir / ("out_" + df.name()) + "/*.parquet")).rows,
              truth);
  }
  // Rows split evenly: partition sizes differ by at most one.
  Table sizes = sp.partial_sql("SELECT count(*) AS n FROM {0}", by_rows).to_table();
  for (auto& row : sizes.rows) EXPECT_NEAR(row[0].as_int(), testing::kSmallPricesRows / 5, 1);
}

TEST(Api, AShuffleSplitEvenlyByRows) {
  // The shuffle's buckets are then Parquet (a split by rows counts Parquet rows), not chunk
  // files; the split is exact.
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  auto df = sp.read_parquet(prices_glob()).repartition(3, "ticker").repartition_by_rows(4);
  Table sizes = sp.partial_sql("SELECT count(*) AS n FROM {0}", df).to_table();
  ASSERT_EQ(sizes.num_rows(), 4u);
  for (auto& row : sizes.rows) EXPECT_NEAR(row[0].as_int(), testing::kSmallPricesRows / 4, 1);
  df.write_parquet(dir / "out");
  EXPECT_EQ(duckdb_query(kFingerprint + read_all(dir / "out/*.parquet")).rows,
            duckdb_query(kFingerprint + read_all(prices_glob())).rows);
}

TEST(Api, SecondRunOverTheSameJobDirExecutesNoTask) {
  testing::TempDir dir;
  auto pipeline = [&](Session& sp) {
    auto df = sp.read_parquet(prices_glob()).repartition(3, "ticker");
    return sp.partial_sql("SELECT ticker, sum(volume) AS v FROM {0} GROUP BY ticker", df);
  };
  {
    auto sp = init(options_in(dir));
    JobReport first = pipeline(sp).write_parquet(dir / "out");
    EXPECT_GT(first.executed_tasks(), 0);
    EXPECT_EQ(first.reused_tasks(), 0);
    JobReport again = pipeline(sp).write_parquet(dir / "out");
    EXPECT_EQ(again.executed_tasks(), 0);
    EXPECT_EQ(again.reused_tasks(), 3)
        << "the final tasks; the shuffle before them is not even read";
  }
  // A new session (as after a restart) resumes from the job directory too.
  auto sp = init(options_in(dir));
  Table t = pipeline(sp).to_table();
  EXPECT_EQ(sp.last_report().executed_tasks(), 0);
  EXPECT_EQ(t.num_rows(), 50u);
}

TEST(Api, ChangingAStepRecomputesItAndItsDownstreamOnly) {
  testing::TempDir dir;
  Options o = options_in(dir);
  o.optimize = false;  // keep "filtered" and "stats" apart
  auto sp = init(o);
  auto run = [&](const std::string& filter) {
    auto parts = sp.read_parquet(prices_glob()).repartition(3, "ticker").named("parts");
    auto filtered = sp.partial_sql("SELECT * FROM {0} WHERE " + filter, parts).named("filtered");
    auto stats = sp.partial_sql("SELECT ticker, count(*) AS n FROM {0} GROUP BY ticker", filtered)
                     .named("stats");
    return stats.write_parquet(dir / "out");
  };
  JobReport first = run("price > 100");
  EXPECT_EQ(first.step("parts").executed, 4);  // 2 x executors producers
  JobReport second = run("price > 200");
  EXPECT_EQ(second.step("parts").executed, 0);
  EXPECT_EQ(second.step("parts").reused, 4);
  EXPECT_EQ(second.step("filtered").executed, 3);
  EXPECT_EQ(second.step("stats").executed, 3);
  Table truth = duckdb_query("SELECT ticker, count(*) AS n FROM " + read_all(prices_glob()) +
                             " WHERE price > 200 GROUP BY ticker");
  EXPECT_EQ(sorted(duckdb_query("SELECT * FROM " + read_all(dir / "out/*.parquet"))).rows,
            sorted(truth).rows);
}

TEST(Api, CrashedExecutorProcessIsRetried) {
  testing::TempDir dir;
  std::string marker = dir / "crashed";
  setenv("SMALLPOND_FAULT_CRASH_ONCE", marker.c_str(), 1);
  auto sp = init(options_in(dir));
  auto df = sp.read_parquet(prices_glob()).repartition(3, "ticker");
  df = sp.partial_sql("SELECT ticker, count(*) AS n FROM {0} GROUP BY ticker", df);
  Table got = df.to_table();
  unsetenv("SMALLPOND_FAULT_CRASH_ONCE");
  EXPECT_TRUE(path_exists(marker)) << "no executor crashed";
  int retries = 0;
  for (auto& s : sp.last_report().steps) retries += s.retries;
  EXPECT_EQ(retries, 1);
  Table truth = duckdb_query("SELECT ticker, count(*) AS n FROM " + read_all(prices_glob()) +
                             " GROUP BY ticker");
  EXPECT_EQ(sorted(got).rows, sorted(truth).rows);
}

// Partial aggregates (small, kept in executor memory) feeding a final aggregate.
DataFrame partial_then_total(Session& sp) {
  auto parts = sp.read_parquet(prices_glob()).repartition(6, "ticker");
  auto partial =
      sp.partial_sql(
            "SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM {0} GROUP BY ticker",
            parts)
          .named("partial");
  return sp
      .partial_sql(
          "SELECT ticker, sum(n)::BIGINT AS n, sum(v)::BIGINT AS v FROM {0} GROUP BY ticker",
          partial.repartition(1))
      .named("total");
}

TEST(Api, InMemoryPassingGivesTheSameResultsAsFiles) {
  testing::TempDir dir;
  Options in_memory = options_in(dir);
  in_memory.optimize = false;
  in_memory.memory_passing_bytes = 8 << 20;
  Options files = in_memory;
  files.job_dir = dir / "job_files";
  files.memory_passing_bytes = 0;
  auto a = init(in_memory);
  Table via_memory = sorted(partial_then_total(a).to_table());
  EXPECT_EQ(a.last_report().step("partial").in_memory, 6) << a.last_report().to_string();
  EXPECT_EQ(a.last_report().step("total").in_memory, 0) << "what the program reads is a file";
  auto b = init(files);
  Table via_files = sorted(partial_then_total(b).to_table());
  EXPECT_EQ(b.last_report().step("partial").in_memory, 0);
  Table truth = sorted(duckdb_query("SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM " +
                                    read_all(prices_glob()) + " GROUP BY ticker"));
  EXPECT_EQ(via_memory.rows, truth.rows);
  EXPECT_EQ(via_files.rows, truth.rows);
  // In-memory outputs are not in the job directory: a rerun recomputes them (and only them,
  // with what reads them); the shuffle is reused.
  Table again = sorted(partial_then_total(a).to_table());
  EXPECT_EQ(again.rows, truth.rows);
  EXPECT_EQ(a.last_report().step("total").executed, 0);
  // The task trace of each run says how every output was passed on.
  Table first = duckdb_query(
      "SELECT step, status, output, count(*)::BIGINT FROM read_csv('" + in_memory.job_dir +
      "/log/tasks-*.csv', filename = true) WHERE filename = (SELECT min(file) FROM glob('" +
      in_memory.job_dir +
      "/log/tasks-*.csv')) AND step IN ('partial', 'total') GROUP BY ALL "
      "ORDER BY ALL");
  ASSERT_EQ(first.num_rows(), 2u) << first.to_string();
  EXPECT_EQ(first.rows[0][0].as_string(), "partial");
  EXPECT_EQ(first.rows[0][2].as_string(), "memory");
  EXPECT_EQ(first.rows[0][3].as_int(), 6);
  EXPECT_EQ(first.rows[1][0].as_string(), "total");
  EXPECT_EQ(first.rows[1][2].as_string(), "file");
  Table runs =
      duckdb_query("SELECT count(*) FROM glob('" + in_memory.job_dir + "/log/tasks-*.csv')");
  EXPECT_EQ(runs.rows[0][0].as_int(), 2);
}

TEST(Api, ManyTinyInMemoryOutputsFeedOneTask) {
  // More one-row partial aggregates than a UNION ALL of tables can hold (about 1000), half of
  // them on the other executor; and a per-partition step that reads its input in place.
  testing::TempDir dir;
  Options o = options_in(dir);
  o.optimize = false;
  o.memory_passing_bytes = 1 << 20;
  auto sp = init(o);
  auto parts = sp.read_parquet(prices_glob()).repartition_by_rows(1200);
  auto partial =
      sp.partial_sql("SELECT count(*) AS n, sum(volume)::BIGINT AS v, min(price) AS lo FROM {0}",
                     parts)
          .named("partial");
  auto checked = sp.partial_sql("SELECT n, v, lo FROM {0} WHERE n > 0", partial).named("checked");
  Table got =
      sp.partial_sql("SELECT sum(n)::BIGINT AS n, sum(v)::BIGINT AS v, min(lo) AS lo FROM {0}",
                     checked.repartition(1))
          .to_table();
  const JobReport& r = sp.last_report();
  EXPECT_EQ(r.step("partial").in_memory, 1200) << r.to_string();
  EXPECT_EQ(r.step("checked").in_memory, 1200) << r.to_string();
  Table truth = duckdb_query("SELECT count(*)::BIGINT, sum(volume)::BIGINT, min(price) FROM " +
                             read_all(prices_glob()));
  EXPECT_EQ(got.rows, truth.rows);
}

TEST(Api, InMemoryOutputsOverTheThresholdAreFiles) {
  testing::TempDir dir;
  Options o = options_in(dir);
  o.optimize = false;
  o.memory_passing_bytes = 1000;  // a one-row output fits; a partition's rows do not
  auto sp = init(o);
  auto parts = sp.read_parquet(prices_glob()).repartition_by_rows(4);
  auto small = sp.partial_sql("SELECT count(*) AS n FROM {0}", parts).named("small");
  auto big = sp.partial_sql("SELECT ticker, volume FROM {0}", parts).named("big");
  Table n = sp.partial_sql("SELECT sum(n)::BIGINT FROM {0}", small.repartition(1)).to_table();
  EXPECT_EQ(sp.last_report().step("small").in_memory, 4);
  EXPECT_EQ(n.rows[0][0].as_int(), testing::kSmallPricesRows);
  const std::string per_ticker =
      "SELECT ticker, count(*)::BIGINT AS n, sum(volume)::BIGINT AS v FROM ";
  Table got =
      sorted(sp.partial_sql(per_ticker + "{0} GROUP BY ticker", big.repartition(1)).to_table());
  EXPECT_EQ(sp.last_report().step("big").in_memory, 0);
  Table truth = sorted(duckdb_query(per_ticker + read_all(prices_glob()) + " GROUP BY ticker"));
  EXPECT_EQ(got.rows, truth.rows);
}

TEST(Api, LostInMemoryOutputsAreRecomputed) {
  testing::TempDir dir;
  std::string marker = dir / "crashed";
  // The executor that runs the final aggregate holds some of the partial aggregates: it dies.
  setenv("SMALLPOND_FAULT_CRASH_ONCE", (marker + ":total").c_str(), 1);
  Options o = options_in(dir);
  o.optimize = false;
  o.memory_passing_bytes = 8 << 20;
  auto sp = init(o);
  Table got = sorted(partial_then_total(sp).to_table());
  unsetenv("SMALLPOND_FAULT_CRASH_ONCE");
  EXPECT_TRUE(path_exists(marker));
  const JobReport& r = sp.last_report();
  EXPECT_GT(r.step("partial").executed, r.step("partial").tasks)
      << "lost outputs were not recomputed\n"
      << r.to_string();
  Table truth = sorted(duckdb_query("SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM " +
                                    read_all(prices_glob()) + " GROUP BY ticker"));
  EXPECT_EQ(got.rows, truth.rows);
}

TEST(Api, ZeroInputSqlAndMultiStatementQueries) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  Table t = sp.partial_sql("SELECT 42 AS answer").to_table();
  ASSERT_EQ(t.num_rows(), 1u);
  EXPECT_EQ(t.rows[0][0].as_int(), 42);
  auto df = sp.read_parquet(prices_glob());
  Table m =
      sp.partial_sql(
            "CREATE TEMP TABLE t AS SELECT max(price) AS m FROM {0}; SELECT m * 2 AS twice FROM t",
            df)
          .to_table();
  Table truth = duckdb_query("SELECT max(price) * 2 FROM " + read_all(prices_glob()));
  EXPECT_EQ(m.rows[0][0], truth.rows[0][0]);
}

// A task's inputs are names its SQL reads ({0} -> a relation bound where it is read): every
// way a query may read them gives what DuckDB gives over the files.
TEST(Api, InputsReadAsRelationsInEveryForm) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  auto df = sp.read_parquet(prices_glob());
  const std::vector<std::string> queries = {
      "SELECT {0}.ticker, max({0}.price) AS hi FROM {0} GROUP BY {0}.ticker",
      "SELECT t.ticker, count(*) AS n FROM {0} AS t WHERE t.price > 500 GROUP BY ALL",
      "SELECT a.ticker, count(*) AS n FROM (SELECT DISTINCT ticker FROM {0}) a JOIN (SELECT "
      "DISTINCT ticker FROM {0}) b USING (ticker) GROUP BY a.ticker",
      "WITH x AS (SELECT ticker, price FROM {0}) SELECT ticker, min(price) AS lo FROM x GROUP BY "
      "ticker",
      "SELECT ticker, count(*) AS n FROM {0} WHERE price > (SELECT avg(price) FROM {0}) GROUP BY "
      "ticker",
      "SELECT column_name, column_type FROM (DESCRIBE {0})",
      "FROM {0} SELECT ticker, sum(volume)::BIGINT AS v GROUP BY ticker",
  };
  for (auto& query : queries) {
    SCOPED_TRACE(query);
    Table got = sorted(sp.partial_sql(query, df).to_table());
    // DuckDB over a view of the files, named as the query names it.
    std::string truth_sql = query;
    for (size_t at; (at = truth_sql.find("{0}")) != std::string::npos;)
      truth_sql.replace(at, 3, "p");
    Table truth = sorted(duckdb_query("CREATE TEMP VIEW p AS SELECT * FROM " +
                                      read_all(prices_glob()) + "; " + truth_sql));
    ASSERT_GT(truth.num_rows(), 0u);
    EXPECT_EQ(got.rows, truth.rows);
  }
  // Every statement of a multi-statement query reads them, and a second input beside.
  Table two = sp.partial_sql(
                    "CREATE TEMP TABLE hi AS SELECT ticker, max(price) AS m FROM {0} "
                    "GROUP BY ticker; SELECT count(*) AS n FROM {1} JOIN hi USING "
                    "(ticker) WHERE {1}.price = hi.m",
                    df, df)
                  .to_table();
  Table truth =
      duckdb_query("SELECT count(*) FROM " + read_all(prices_glob()) +
                   " p JOIN (SELECT ticker, max(price) AS m FROM " + read_all(prices_glob()) +
                   " GROUP BY ticker) hi USING (ticker) "
                   "WHERE p.price = hi.m");
  EXPECT_EQ(two.rows[0][0].as_int(), truth.rows[0][0].as_int());
}

TEST(Api, EmptyPartitionsKeepTheirSchema) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  // One file into three partitions by files: two partitions are empty.
  auto df = sp.read_parquet(testing::small_prices_dir() + "/prices-00000.parquet").repartition(3);
  EXPECT_EQ(df.count(), testing::kSmallPricesRows / 6);
  df.write_parquet(dir / "out");
  auto files = expand_path(dir / "out", ".parquet");
  EXPECT_EQ(files.size(), 3u);
  Table t = duckdb_query("SELECT count(*) FROM " + read_all(dir / "out/*.parquet"));
  EXPECT_EQ(t.rows[0][0].as_int(), testing::kSmallPricesRows / 6);
  Table empty = duckdb_query("SELECT * FROM read_parquet('" + files[2].path + "')");
  EXPECT_EQ(empty.num_rows(), 0u);
  EXPECT_EQ(empty.column_names, (std::vector<std::string>{"ticker", "date", "price", "volume"}));
  // Hash partitions of an empty input are empty but keep the schema as well.
  auto none = sp.partial_sql("SELECT * FROM {0} WHERE price < 0", sp.read_parquet(prices_glob()));
  Table hashed =
      sp.partial_sql("SELECT count(*) AS n FROM {0}", none.repartition(3, "ticker")).to_table();
  ASSERT_EQ(hashed.num_rows(), 3u);
  for (auto& row : hashed.rows) EXPECT_EQ(row[0].as_int(), 0);
}

Value twice(const std::vector<Value>& args) { return Value(args[0].as_int() * 2); }

// session.h promises: frames may be built, functions created and reports read from any thread
// while actions run (one at a time). Run with ThreadSanitizer to see the races this once had.
TEST(Api, ASessionIsUsableFromSeveralThreads) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  std::atomic<bool> done{false};
  std::vector<std::string> errors;
  std::mutex errors_mutex;
  auto guarded = [&](auto body) {
    return [&, body] {
      try {
        body();
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> lock(errors_mutex);
        errors.push_back(e.what());
      }
    };
  };
  std::vector<std::thread> threads;
  threads.emplace_back(guarded([&] {  // functions come and go
    for (int i = 0; !done; i++)
      sp.create_function("f" + std::to_string(i % 7), twice, {"BIGINT"}, "BIGINT");
  }));
  threads.emplace_back(guarded([&] {  // frames are built (each copies the function list)
    while (!done) sp.partial_sql("SELECT 1 AS x");
  }));
  threads.emplace_back(guarded([&] {  // reports are read while actions replace them
    int64_t seen = 0;
    while (!done)
      seen += sp.last_report().executed_tasks() +
              static_cast<int64_t>(sp.last_report().to_string().size());
    (void)seen;
  }));
  sp.create_function("double_it", twice, {"BIGINT"}, "BIGINT");
  std::vector<std::thread> actions;
  std::atomic<int64_t> total{0};
  for (int a = 0; a < 2; a++)
    actions.emplace_back(guarded([&] {
      for (int i = 0; i < 4; i++)
        total +=
            sp.partial_sql("SELECT double_it(range) AS v FROM range(" + std::to_string(i + 1) + ")")
                .count();
    }));
  for (auto& t : actions) t.join();
  done = true;
  for (auto& t : threads) t.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(total, 2 * (1 + 2 + 3 + 4));
}

// explain() says what would run, runs nothing, and then counts what a run left to reuse.
TEST(Api, ExplainShowsFusedStepsTaskCountsAndWhatIsReused) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  auto df = sp.read_parquet(prices_glob()).repartition(3, "ticker");
  df = sp.partial_sql("SELECT ticker, count(*) AS n FROM {0} GROUP BY ticker", df);
  df = df.filter("n > 0");
  std::string before = df.explain();
  EXPECT_TRUE(contains(before, "hash_partition 3 partitions by hash(ticker)")) << before;
  EXPECT_TRUE(contains(before, "[fused: sql_")) << before;  // the query and the filter: one step
  EXPECT_TRUE(contains(before, "0 of them already in")) << before;
  EXPECT_FALSE(path_exists(dir / "job/data")) << "explain ran something";
  df.count();
  int executed = sp.last_report().executed_tasks();
  std::string after = df.explain();
  EXPECT_TRUE(contains(after, std::to_string(executed) + " on executors, " +
                                  std::to_string(executed) + " of them already in"))
      << after;
}

// Executors started from a named program (as the Python package starts its own): the job runs
// there; a relative program path is refused when the session starts.
TEST(Api, ExecutorCommandNamesTheExecutorProgram) {
  testing::TempDir dir;
  char exe[4096];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  ASSERT_GT(n, 0);
  Options o = options_in(dir);
  // The test binary serves tasks before reading its arguments; these ones would run no test.
  o.executor_command = {std::string(exe, n), "--gtest_filter=NoSuchTest"};
  auto sp = init(o);
  auto df = sp.read_parquet(prices_glob()).repartition(3, "ticker");
  EXPECT_EQ(df.count(), testing::kSmallPricesRows);

  o.executor_command = {"smallpond_executor"};
  try {
    init(o);
    FAIL() << "a relative executor program was accepted";
  } catch (const InvalidInputError& e) {
    EXPECT_TRUE(contains(e.what(), "absolute")) << e.what();
  }
}

// A row function that is slow while the file params["marker"] exists: a job of it is still
// running when it is interrupted, and the rerun is quick.
bool slow_keep(const Row& r, const Row& params) {
  if (::access(params["marker"].as_string().c_str(), F_OK) == 0) ::usleep(2000);
  return r["volume"].as_int() % 2 == 0;
}

// Session::interrupt() from another thread stops the running action within a second, leaves
// no output behind, and the same action again completes with the right result.
TEST(Api, InterruptStopsTheRunningActionAndARerunResumes) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  Row params;
  params["marker"] = dir / "slow";
  testing::write_text(dir / "slow", "");
  auto df = sp.read_parquet(prices_glob()).repartition(8, "ticker").filter(slow_keep, params);
  double interrupted_at = 0;
  std::thread interrupter([&] {
    testing::wait_for_attempts(dir / "job", 2);
    interrupted_at = monotonic_seconds();
    sp.interrupt();
  });
  try {
    df.write_parquet(dir / "out");
    FAIL() << "the job was not interrupted";
  } catch (const ExecutionError& e) {
    EXPECT_EQ(e.code(), ErrorCode::Interrupted) << e.what();
    EXPECT_LT(monotonic_seconds() - interrupted_at, 5.0);
  }
  interrupter.join();
  EXPECT_FALSE(path_exists(dir / "out"));
  remove_all(dir / "slow");
  df.write_parquet(dir / "out");
  Table truth =
      duckdb_query("SELECT count(*) FROM " + read_all(prices_glob()) + " WHERE volume % 2 = 0");
  EXPECT_EQ(duckdb_query("SELECT count(*) FROM " + read_all(dir / "out/*.parquet")).rows,
            truth.rows);
}

// Session::progress() from another thread while an action runs: counts that grow to the
// total, step by step; after the action, the final counts and running == false.
TEST(Api, ProgressIsReadableWhileAnActionRuns) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  EXPECT_FALSE(sp.progress().running);
  Row params;
  params["marker"] = dir / "slow";
  testing::write_text(dir / "slow", "");
  auto df = sp.read_parquet(prices_glob()).repartition(4, "ticker").filter(slow_keep, params);
  std::thread action([&] { df.count(); });
  JobProgress seen;
  for (int i = 0; i < 3000 && !(seen.running && seen.tasks_done > 0); i++) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    seen = sp.progress();
  }
  remove_all(dir / "slow");
  action.join();
  ASSERT_TRUE(seen.running);
  EXPECT_GT(seen.tasks_done, 0);
  EXPECT_LT(seen.tasks_done, seen.tasks_total);
  JobProgress after = sp.progress();
  EXPECT_FALSE(after.running);
  EXPECT_EQ(after.tasks_done, after.tasks_total);
  int sum = 0;
  for (auto& s : after.steps) {
    EXPECT_EQ(s.done, s.total) << s.step;
    sum += s.total;
  }
  EXPECT_EQ(sum, after.tasks_total);
  EXPECT_EQ(after.steps.size(), 2u);  // the shuffle and the filter
}

// Executors belong to the session, not to the thread of the action that started them: an
// action on a thread that then ends leaves them serving the next action (none is lost).
TEST(Api, ExecutorsOutliveTheThreadThatStartedThem) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  auto df = sp.read_parquet(prices_glob()).repartition(3, "ticker");
  std::thread first([&] { EXPECT_EQ(df.count(), testing::kSmallPricesRows); });
  first.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(sp.partial_sql("SELECT DISTINCT ticker FROM {0}", df).count(), 50);
  std::string trace;
  for (auto& f : list_files_recursive(dir / "job/log")) trace += read_file(dir / "job/log/" + f);
  EXPECT_FALSE(contains(trace, ",lost,")) << trace;
}

}  // namespace
}  // namespace smallpond
