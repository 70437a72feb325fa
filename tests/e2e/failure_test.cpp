// Failures through the C++ API: one clear error naming the step and the query or file, and no
// output left behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "common/system.h"
#include "exec/local_process_pool.h"
#include "io/filesystem.h"
#include "io/job_dir.h"
#include "smallpond/smallpond.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

Options options_in(const testing::TempDir& dir) {
  Options o;
  o.job_dir = dir / "job";
  o.executors = 2;
  o.progress = false;
  return o;
}

std::string prices_glob() { return testing::small_prices_dir() + "/*.parquet"; }

template <class E, class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(Failures, BadSqlNamesStepAndQueryAndIsNotRetried) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  auto df = sp.read_parquet(prices_glob()).repartition(2, "ticker");
  auto bad = sp.partial_sql("SELECT tickr, count(*) FROM {0} GROUP BY tickr", df).named("stats");
  std::string m = error_of<ExecutionError>([&] { bad.write_parquet(dir / "out"); });
  EXPECT_TRUE(contains(m, "step 'stats'")) << m;
  EXPECT_TRUE(contains(m, "tickr")) << m;
  EXPECT_TRUE(contains(m, "query: SELECT tickr, count(*) FROM {0} GROUP BY tickr")) << m;
  EXPECT_TRUE(contains(m, "not retried")) << m;
  EXPECT_FALSE(path_exists(dir / "out"));
  EXPECT_EQ(list_files_recursive(dir / "job/staging").size(), 0u) << "staging left behind";
}

TEST(Failures, MissingInputNamesStepAndPath) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  auto df = sp.read_parquet(dir / "nothing/*.parquet").named("prices");
  std::string m = error_of<InvalidInputError>([&] { df.write_parquet(dir / "out"); });
  EXPECT_TRUE(contains(m, "step 'prices'")) << m;
  EXPECT_TRUE(contains(m, dir / "nothing/*.parquet")) << m;
  EXPECT_FALSE(path_exists(dir / "out"));
}

TEST(Failures, CorruptParquetNamesTheFile) {
  testing::TempDir dir;
  make_dirs(dir / "in");
  link_or_copy(testing::small_prices_dir() + "/prices-00000.parquet", dir / "in/a.parquet");
  testing::write_text(dir / "in/b.parquet", std::string(5000, 'x'));
  auto sp = init(options_in(dir));
  auto df = sp.read_parquet(dir / "in/*.parquet").repartition(2, "ticker").named("parts");
  std::string m = error_of<ExecutionError>([&] { df.write_parquet(dir / "out"); });
  EXPECT_TRUE(contains(m, "step 'parts'")) << m;
  EXPECT_TRUE(contains(m, dir / "in/b.parquet")) << m;
  EXPECT_FALSE(path_exists(dir / "out"));
}

TEST(Failures, AFailedJobLeavesThePreviousOutputAlone) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  auto src = sp.read_parquet(prices_glob());
  sp.partial_sql("SELECT count(*) AS n FROM {0}", src).write_parquet(dir / "out");
  auto before = list_files_recursive(dir / "out");
  ASSERT_FALSE(before.empty());
  auto bad = sp.partial_sql("SELECT nope FROM {0}", src);
  EXPECT_THROW(bad.write_parquet(dir / "out"), ExecutionError);
  EXPECT_EQ(list_files_recursive(dir / "out"), before);
  Table t = testing::duckdb_query("SELECT n FROM read_parquet('" + dir / "out/*.parquet" + "')");
  EXPECT_EQ(t.rows[0][0].as_int(), testing::kSmallPricesRows);
  // The session still works after a failure (fresh executors).
  EXPECT_EQ(sp.partial_sql("SELECT 1 AS one").to_table().num_rows(), 1u);
}

TEST(Failures, JobDirectoryInUseIsRefused) {
  testing::TempDir dir;
  JobDir held(dir / "job");
  auto sp = init(options_in(dir));
  std::string m = error_of<InvalidInputError>([&] { sp.partial_sql("SELECT 1").to_table(); });
  EXPECT_TRUE(contains(m, "in use")) << m;
}

}  // namespace
}  // namespace smallpond

namespace smallpond {
namespace {

class FaultOptions : public ::testing::Test {
 protected:
  Session session(double fault_probability, int max_retry = 3, int max_fail = -1,
                  bool fail_fast = false) {
    Options o;
    o.job_dir = dir / ("job" + std::to_string(runs++));
    o.executors = 2;
    o.progress = false;
    o.fault_probability = fault_probability;
    o.max_retry = max_retry;
    o.max_fail = max_fail;
    o.fail_fast = fail_fast;
    return init(o);
  }
  DataFrame pipeline(Session& sp) {
    auto df = sp.read_parquet(prices_glob()).repartition(6, "ticker");
    // (sums cast to BIGINT: Parquet stores DuckDB's HUGEINT sums as DOUBLE)
    df = sp.partial_sql(
        "SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM {0} GROUP BY ticker", df);
    df = df.repartition(3, "ticker");
    return sp.partial_sql(
        "SELECT ticker, sum(n)::BIGINT AS n, sum(v)::BIGINT AS v FROM {0} GROUP BY ticker", df);
  }
  Table truth() {
    return testing::sorted(testing::duckdb_query(
        "SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM read_parquet('" +
        prices_glob() + "') GROUP BY ticker"));
  }
  testing::TempDir dir;
  int runs = 0;
};

TEST_F(FaultOptions, FivePercentInjectedFaultsStillGiveTheRightResult) {
  auto sp = session(0.05, /*max_retry=*/10);
  EXPECT_EQ(testing::sorted(pipeline(sp).to_table()).rows, truth().rows);
}

TEST_F(FaultOptions, InjectedFaultsAreRetried) {
  // Faults are drawn at random: a run of every task succeeding at once (at 30%, about one in
  // 150 here) is run again, up to four runs in all, each checked whole.
  int retries = 0;
  for (int run = 0; run < 4 && retries == 0; run++) {
    auto sp = session(0.3, /*max_retry=*/20);
    EXPECT_EQ(testing::sorted(pipeline(sp).to_table()).rows, truth().rows);
    for (auto& s : sp.last_report().steps) retries += s.retries;
    // The task trace has every failed attempt, with its error, and one success per task.
    Table trace = testing::duckdb_query(
        "SELECT count(*) FILTER (status = 'failed'), count(*) FILTER (status = 'failed' AND "
        "error LIKE '%injected%'), count(*) FILTER (status = 'executed'), count(DISTINCT task) "
        "FILTER (status = 'executed') FROM read_csv('" +
        sp.options().job_dir + "/log/tasks-*.csv')");
    EXPECT_EQ(trace.rows[0][0].as_int(), retries);
    EXPECT_EQ(trace.rows[0][1].as_int(), retries);
    EXPECT_EQ(trace.rows[0][2].as_int(), trace.rows[0][3].as_int());
  }
  EXPECT_GT(retries, 0);
}

// A read failing with EIO (an NFS hiccup) is retried; it used to fail the job for good, as any
// unreadable file was taken for invalid input.
TEST_F(FaultOptions, ATransientReadErrorIsRetried) {
  std::string marker = dir / "eio";
  setenv("SMALLPOND_FAULT_POINT", ("input.read:" + marker).c_str(), 1);
  auto sp = session(0);
  Table t = testing::sorted(pipeline(sp).to_table());
  unsetenv("SMALLPOND_FAULT_POINT");
  EXPECT_TRUE(path_exists(marker));
  EXPECT_EQ(t.rows, truth().rows);
  int retries = 0;
  for (auto& s : sp.last_report().steps) retries += s.retries;
  EXPECT_EQ(retries, 1);
}

TEST_F(FaultOptions, FailFastAndMaxFailStopTheJob) {
  auto fast = session(1.0, /*max_retry=*/3, /*max_fail=*/-1, /*fail_fast=*/true);
  std::string m = error_of<ExecutionError>([&] { pipeline(fast).to_table(); });
  EXPECT_TRUE(contains(m, "after 1 attempt:")) << m;
  EXPECT_TRUE(contains(m, "injected fault")) << m;
  auto limited = session(1.0, /*max_retry=*/3, /*max_fail=*/2);
  m = error_of<ExecutionError>([&] { pipeline(limited).to_table(); });
  EXPECT_TRUE(contains(m, "limit of 2 failed attempts")) << m;
}

TEST_F(FaultOptions, AStragglerIsRunAgainElsewhere) {
  std::string marker = dir / "slow";
  // Held for 100 s, never released: a job that waited for it would take that long.
  setenv("SMALLPOND_FAULT_SLOW_ONCE", (marker + ":100:" + dir / "never").c_str(), 1);
  Options o;
  o.job_dir = dir / "spec";
  o.executors = 2;
  o.progress = false;
  o.speculation_min_seconds = 0.5;
  auto sp = init(o);
  auto df = sp.read_parquet(prices_glob()).repartition_by_rows(12);
  Table t = sp.partial_sql("SELECT count(*) AS n FROM {0}", df).to_table();
  unsetenv("SMALLPOND_FAULT_SLOW_ONCE");
  EXPECT_TRUE(path_exists(marker));
  int64_t total = 0;
  for (auto& row : t.rows) total += row[0].as_int();
  EXPECT_EQ(total, testing::kSmallPricesRows);
  EXPECT_EQ(sp.last_report().steps.back().speculative, 1);
  EXPECT_LT(sp.last_report().seconds, 100) << "the job waited for the straggler";
}

// The processes of this process's executor number `id` (one, unless it is being replaced).
std::vector<pid_t> executor_pids(int id) {
  std::vector<pid_t> pids;
  std::string parent = std::to_string(getpid());
  std::error_code ec;  // processes come and go while /proc is read: skip those that went
  for (auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    size_t name_end = line.rfind(')');
    if (name_end == std::string::npos || name_end + 2 > line.size()) continue;  // it ended
    std::istringstream fields(line.substr(name_end + 2));
    std::string state, ppid;
    fields >> state >> ppid;
    if (ppid != parent) continue;
    std::ifstream env_file(entry.path() / "environ", std::ios::binary);
    std::string env((std::istreambuf_iterator<char>(env_file)), std::istreambuf_iterator<char>());
    if (env.find("SMALLPOND_EXECUTOR_ID=" + std::to_string(id) + '\0') == std::string::npos)
      continue;
    pids.push_back(std::stoi(pid));
  }
  return pids;
}

// Stops (SIGSTOP) this process's executor number `id`; returns how many processes it stopped.
int stop_executor(int id) {
  int stopped = 0;
  for (pid_t pid : executor_pids(id)) stopped += kill(pid, SIGSTOP) == 0;
  return stopped;
}

TEST_F(FaultOptions, AnExecutorThatStopsAnsweringIsReplaced) {
  Options o;
  o.job_dir = dir / "frozen";
  o.executors = 2;
  o.progress = false;
  o.heartbeat_timeout = 2;
  o.speculation = false;  // the heartbeat must find it, not speculation
  auto sp = init(o);
  auto parts = sp.read_parquet(prices_glob()).repartition_by_rows(12);
  auto slow = sp.partial_sql(
      "SELECT count(*) AS n, (SELECT count(*) FROM range(60000000) r WHERE r.range % 7 = 9) AS z "
      "FROM {0}",
      parts);
  int stopped = 0;
  std::thread freezer([&] {
    // Once two tasks are done (the trace has their lines) both executors are busy with the
    // next of their six tasks each: executor 0 is stopped in the middle of one, however fast
    // or loaded this machine is.
    testing::wait_for_attempts(dir / "frozen", 2);
    stopped = stop_executor(0);
  });
  Table t = slow.to_table();
  freezer.join();
  ASSERT_EQ(stopped, 1);
  int64_t total = 0;
  for (auto& row : t.rows) total += row[0].as_int();
  EXPECT_EQ(total, testing::kSmallPricesRows);
  EXPECT_GE(sp.last_report().steps.back().retries, 1) << sp.last_report().to_string();
}

// Executors heartbeat while the driver is away (planning a large job after starting them, a
// pause between a session's jobs); what they sent meanwhile is read before any is judged
// silent. Before, a plan that took longer than the heartbeat timeout lost every executor.
TEST(ExecutorPool, ADriverThatLookedAwayLosesNoExecutor) {
  LocalProcessPool pool(2, /*heartbeat_timeout=*/1.0, {});
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // unread heartbeats pile up
  double until = monotonic_seconds() + 1.5;
  while (monotonic_seconds() < until) {
    auto event = pool.wait(0.1);
    ASSERT_FALSE(event && event->type == ExecutorEvent::Type::Lost)
        << "executor " << event->executor << " lost: " << event->reason;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // and again
  auto event = pool.wait(0.1);
  EXPECT_FALSE(event && event->type == ExecutorEvent::Type::Lost) << event->reason;
}

TEST_F(FaultOptions, OutOfMemoryIsRetriedWithMoreMemory) {
  Options o;
  o.job_dir = dir / "oom";
  o.executors = 1;
  o.progress = false;
  o.memory_per_task = 4 << 20;  // too small for the list below; doubled after each failure
  o.max_retry = 8;
  auto sp = init(o);
  Table t = sp.partial_sql("SELECT len(list(range)) AS n FROM range(3000000)").to_table();
  EXPECT_EQ(t.rows[0][0].as_int(), 3000000);
  EXPECT_GT(sp.last_report().steps.back().retries, 0);
}

}  // namespace
}  // namespace smallpond
