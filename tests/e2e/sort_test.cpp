// The global sort (DataFrame::sort, pipeline `sort:`): its output, read partition after
// partition, is DuckDB's ORDER BY of the unpartitioned input, for keys of several types,
// directions, NULL orders, duplicates and heavy skew.
#include <gtest/gtest.h>

#include <algorithm>

#include "e2e/cli_run.h"
#include "io/filesystem.h"
#include "smallpond/smallpond.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::contains;
using testing::duckdb_query;
using testing::smallpond_cli;
using testing::sorted;

class Sort : public ::testing::Test {
 public:
  explicit Sort(int64_t rows = 20000) : kRows(rows) {}
  void SetUp() override {
    // Four files of rows with: a unique id; k, a small integer that is 7 in 60% of the rows
    // and sometimes NULL; s, text with non-ASCII letters and NULLs; d, a double with NULLs
    // and -0.0; ts, a timestamp.
    make_dirs(dir / "in");
    for (int f = 0; f < 4; f++) {
      duckdb_query(
          "COPY (SELECT i AS id, CASE WHEN i % 10 < 6 THEN 7 WHEN i % 97 = 0 THEN NULL "
          "ELSE (hash(i) % 50)::INTEGER END AS k, CASE WHEN i % 31 = 0 THEN NULL ELSE "
          "(['Ärger', 'apfel', 'Zebra', 'écoute', 'b'])[1 + (hash(i, 1) % 5)::BIGINT] || (i % "
          "13)::VARCHAR "
          "END AS s, CASE WHEN i % 53 = 0 THEN NULL WHEN i % 53 = 1 THEN -0.0 ELSE "
          "(hash(i, 2) % 1000)::BIGINT::DOUBLE / 7 - 50 END AS d, TIMESTAMP '2024-01-01' + "
          "to_seconds((hash(i, 3) % 100000)::BIGINT) AS ts FROM range(" +
          std::to_string(kRows * f / 4) + ", " + std::to_string(kRows * (f + 1) / 4) +
          ") t(i)) TO '" + dir / "in" + "/part-" + std::to_string(f) +
          ".parquet' (FORMAT parquet)");
    }
    Options o;
    o.job_dir = dir / "job";
    o.executors = 2;
    o.progress = false;
    sp = std::make_unique<Session>(init(o));
  }
  std::string input() const { return "read_parquet('" + dir / "in/*.parquet" + "')"; }
  DataFrame rows() { return sp->read_parquet(dir / "in/*.parquet"); }

  // Sorts by `order` into n partitions, writes them, and checks: every row once; the key
  // columns, read file after file, in DuckDB's order. Returns the rows per partition.
  std::vector<int64_t> check_sort(const std::string& order, const std::string& keys, int n) {
    std::string out = dir / ("out-" + std::to_string(++runs_));
    report = rows().sort(order, n).write_parquet(out);
    std::vector<std::string> files;
    for (auto& f : list_files_recursive(out))
      if (ends_with(f, ".parquet")) files.push_back("'" + out + "/" + f + "'");
    std::sort(files.begin(), files.end());  // part-<partition>-...: partition order
    std::string ours = "read_parquet([" + join(files, ", ") + "])";
    Table got = duckdb_query("SELECT " + keys + " FROM " + ours);
    Table truth = duckdb_query("SELECT " + keys + " FROM " + input() + " ORDER BY " + order);
    EXPECT_EQ(got.num_rows(), size_t(kRows)) << order;
    EXPECT_EQ(got.rows, truth.rows) << "sorted by " << order;
    EXPECT_EQ(sorted(duckdb_query("SELECT * FROM " + ours)).rows,
              sorted(duckdb_query("SELECT * FROM " + input())).rows)
        << order;
    std::vector<int64_t> sizes;
    for (auto& f : files)
      sizes.push_back(
          duckdb_query("SELECT count(*) FROM read_parquet(" + f + ")").rows[0][0].as_int());
    return sizes;
  }
  static std::string join(const std::vector<std::string>& v, const std::string& sep) {
    std::string out;
    for (size_t i = 0; i < v.size(); i++) out += (i ? sep : "") + v[i];
    return out;
  }
  static bool ends_with(const std::string& s, const std::string& t) {
    return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
  }

  const int64_t kRows;
  testing::TempDir dir;
  std::unique_ptr<Session> sp;
  int runs_ = 0;
  JobReport report;  // of the last check_sort
};

TEST_F(Sort, OneColumnWithHeavySkewIsSortedAndBalanced) {
  auto sizes = check_sort("k", "k", 5);
  ASSERT_EQ(sizes.size(), 5u);
  // 60% of the rows share one key; ties are spread by a row hash, so no range holds them all.
  int64_t largest = *std::max_element(sizes.begin(), sizes.end());
  int64_t smallest = *std::min_element(sizes.begin(), sizes.end());
  EXPECT_GT(smallest, 0);
  EXPECT_LE(largest, 2 * smallest) << "largest " << largest << ", smallest " << smallest;
  // The report gives the same balance for the sort step (its tasks are the partitions).
  auto step = std::find_if(report.steps.begin(), report.steps.end(), [](const StepReport& s) {
    return s.step.rfind("sort_", 0) == 0 && s.step.find("ranges") == std::string::npos;
  });
  ASSERT_NE(step, report.steps.end()) << report.to_string();
  EXPECT_EQ(step->largest_task_rows, largest) << report.to_string();
  EXPECT_EQ(step->smallest_task_rows, smallest) << report.to_string();
}

TEST_F(Sort, DirectionsNullOrdersAndSeveralColumns) {
  check_sort("k DESC NULLS FIRST, s", "k, s", 4);
  check_sort("s DESC, d ASC NULLS FIRST", "s, d", 3);
  check_sort("d, id DESC", "d, id", 6);
}

TEST_F(Sort, ExpressionsAndTimestamps) {
  check_sort("lower(s) NULLS FIRST, ts DESC", "lower(s), ts", 4);
  check_sort("ts", "ts", 7);
}

TEST_F(Sort, MorePartitionsThanDistinctKeysAndOnePartition) {
  auto sizes = check_sort("k % 3", "k % 3", 16);  // four distinct keys, 16 ranges
  EXPECT_EQ(sizes.size(), 16u);
  check_sort("id DESC", "id", 1);
}

// Sorts by "k, s" into n ranges with 1 and with 3 threads per task: the same ranges both
// times (a retried sample must give the boundaries that the producers already used, whatever
// the threads that read the input), each at most twice the size of another.
void same_ranges_every_time(Sort& t, int n) {
  std::vector<std::vector<std::vector<Value>>> runs;
  for (int threads : {1, 3}) {
    Options o = t.sp->options();
    o.job_dir = t.dir / ("job-threads-" + std::to_string(threads));
    o.threads_per_task = threads;
    t.sp = std::make_unique<Session>(init(o));
    auto sizes = t.check_sort("k, s", "k, s", n);
    std::string out = t.dir / ("out-" + std::to_string(t.runs_));
    runs.push_back(duckdb_query("SELECT filename[length('" + out +
                                "') + 2:], count(*), min(id), max(id), sum(id) FROM "
                                "read_parquet('" +
                                out +
                                "/*.parquet', filename = true) "
                                "GROUP BY ALL ORDER BY ALL")
                       .rows);
    ASSERT_EQ(sizes.size(), size_t(n));
    int64_t largest = *std::max_element(sizes.begin(), sizes.end());
    int64_t smallest = *std::min_element(sizes.begin(), sizes.end());
    EXPECT_LE(largest, 2 * smallest) << "largest " << largest << ", smallest " << smallest;
  }
  EXPECT_EQ(runs[0], runs[1]);
}

TEST_F(Sort, TheSameInputGivesTheSameRangesEveryTime) { same_ranges_every_time(*this, 6); }

// A source large enough that each sample reads only a share of its rows, chosen by their
// places in the files (exec/range_sample_input.h): 50 000 rows a file, 1 000 samples from each.
class SortOfALargeSource : public Sort {
 protected:
  SortOfALargeSource() : Sort(200000) {}
};

TEST_F(SortOfALargeSource, IsSampledInPartAndStaysTheSameAndBalanced) {
  same_ranges_every_time(*this, 4);
  // One key in 60% of the rows: the share still holds it at its weight, and its rows are
  // spread over ranges by their ties.
  auto sizes = check_sort("k", "k", 5);
  int64_t largest = *std::max_element(sizes.begin(), sizes.end());
  int64_t smallest = *std::min_element(sizes.begin(), sizes.end());
  EXPECT_LE(largest, 2 * smallest) << "largest " << largest << ", smallest " << smallest;
}

TEST_F(Sort, BoundariesPassedInMemory) {
  // The boundaries are a small SQL output: with in-memory passing they stay in the executors
  // (and reach the producers of the other executor through the scheduler).
  Options o = sp->options();
  o.job_dir = dir / "job-memory";
  o.memory_passing_bytes = 64 << 20;
  sp = std::make_unique<Session>(init(o));
  check_sort("s DESC, id", "s, id", 4);
  int in_memory = 0;
  for (auto& step : report.steps) in_memory += step.in_memory;
  EXPECT_GT(in_memory, 0) << report.to_string();
}

TEST_F(Sort, EmptyInputGivesEmptyPartitions) {
  auto df = rows().filter("id < 0").sort("k", 3);
  Table t = df.to_table();
  EXPECT_EQ(t.num_rows(), 0u);
  EXPECT_EQ(t.column_names, (std::vector<std::string>{"id", "k", "s", "d", "ts"}));
  EXPECT_EQ(df.num_partitions(), 3);
}

TEST_F(Sort, BadOrdersAreRefusedNamingTheStep) {
  auto error_of = [&](const std::string& order) {
    try {
      rows().sort(order, 2).count();
    } catch (const InvalidInputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_TRUE(contains(error_of("k DESC LIMIT 3"), "is not an ORDER BY list"))
      << error_of("k DESC LIMIT 3");
  EXPECT_TRUE(contains(error_of("2"), "column number")) << error_of("2");
  EXPECT_TRUE(contains(error_of("ALL"), "ALL or *")) << error_of("ALL");
  EXPECT_TRUE(contains(error_of("k DESC,"), "sort_ranges")) << error_of("k DESC,");
}

TEST_F(Sort, PipelineFileSortStep) {
  testing::write_text(dir / "p.yaml",
                      "steps:\n"
                      "  - name: src\n"
                      "    read_parquet: \"" +
                          dir / "in/*.parquet" +
                          "\"\n"
                          "  - name: ordered\n"
                          "    sort: {input: src, by: \"s DESC NULLS FIRST, id\", npartitions: 3}\n"
                          "  - name: save\n"
                          "    write_parquet: {input: ordered, path: \"" +
                          dir / "yaml-out" + "\"}\n");
  auto r = smallpond_cli("run " + dir / "p.yaml --job-dir " + dir / "yaml-job");
  ASSERT_EQ(r.status, 0) << r.output;
  // The files in name (partition) order, each in its row order; ids make the order total.
  Table got = duckdb_query("SELECT s, id FROM read_parquet('" + dir / "yaml-out/*.parquet" +
                           "', filename = true, file_row_number = true) ORDER BY filename, "
                           "file_row_number");
  Table truth = duckdb_query("SELECT s, id FROM " + input() + " ORDER BY s DESC NULLS FIRST, id");
  EXPECT_EQ(got.num_rows(), size_t(kRows));
  EXPECT_EQ(got.rows, truth.rows);
}

}  // namespace
}  // namespace smallpond
