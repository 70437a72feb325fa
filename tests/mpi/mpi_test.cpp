// smallpond under mpirun (label "mpi"): rank 0 schedules, the other ranks execute. Results are
// compared with DuckDB on the unpartitioned input; faults: a crashing task process, a rank
// killed mid-run with and without mpirun --enable-recovery.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "io/filesystem.h"
#include "mpi/prices_pipeline_test.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::duckdb_query;
using testing::sorted;

std::string mpirun(const std::string& flags, int ranks, const std::string& command) {
  return "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 300 mpirun "
         "--oversubscribe "
         "--bind-to none " +
         flags + " -np " + std::to_string(ranks) + " " + command;
}

// Sends signal to the process of MPI rank `rank` (the rank itself, not its executor process).
int signal_rank(int rank, int signal) {
  int killed = 0;
  DIR* proc = opendir("/proc");
  while (dirent* e = readdir(proc)) {
    int pid = atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream in("/proc/" + std::string(e->d_name) + "/environ", std::ios::binary);
    std::string env((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bool is_rank = env.find(std::string("OMPI_COMM_WORLD_RANK=") + std::to_string(rank) + '\0') !=
                   std::string::npos;
    if (is_rank && env.find("SMALLPOND_EXECUTOR_FD=") == std::string::npos)
      killed += kill(pid, signal) == 0;
  }
  closedir(proc);
  return killed;
}

// SIGKILLs the process of MPI rank `rank`.
int kill_rank(int rank) { return signal_rank(rank, SIGKILL); }

class Mpi : public testing::PricesPipelineTest {};

TEST_F(Mpi, PipelineEqualsLocalRunAndDuckDB) {
  std::string out;
  std::string file = pipeline("q.yaml", quickstart_steps("mpi_out"));
  ASSERT_EQ(testing::run_command(mpirun("", 3, SMALLPOND_CLI " run " + file), &out), 0) << out;
  std::string local = pipeline("l.yaml", quickstart_steps("local_out"));
  ASSERT_EQ(testing::run_command(SMALLPOND_CLI " run " + local + " --executors 2", &out), 0) << out;
  EXPECT_EQ(written("mpi_out").rows, truth(kStats).rows);
  EXPECT_EQ(written("mpi_out").rows, written("local_out").rows);
}

// Large payloads in both directions at once finish (non-blocking sends that keep receiving).
TEST_F(Mpi, TwoRanksExchange64MiBBothWaysAtOnce) {
  std::string out;
  ASSERT_EQ(testing::run_command(mpirun("", 2, EXCHANGE_PROBE), &out), 0) << out;
  EXPECT_NE(out.find("rank 0 exchanged"), std::string::npos) << out;
  EXPECT_NE(out.find("rank 1 exchanged"), std::string::npos) << out;
}

TEST_F(Mpi, CppProgramRunsOnRanks) {
  std::string out;
  std::string cmd =
      "cd " + dir.path() + " && " + mpirun("", 4, QUICKSTART_EXAMPLE " prices api_out");
  ASSERT_EQ(testing::run_command(cmd, &out), 0) << out;
  Table got = written("api_out");
  Table want =
      truth("SELECT ticker, min(price) AS min_price, max(price) AS max_price, count(*) AS n");
  EXPECT_EQ(got.rows, want.rows);
  EXPECT_NE(out.find("(50 rows)"), std::string::npos) << out;
}

TEST_F(Mpi, CppFunctionsRunOnOtherRanks) {
  std::string out;
  std::string cmd = "cd " + dir.path() + " && " + mpirun("", 3, FUNCTIONS_EXAMPLE " prices");
  ASSERT_EQ(testing::run_command(cmd, &out), 0) << out;
  Table want = duckdb_query("SELECT count(*) FROM read_parquet('" + testing::small_prices_dir() +
                            "/*.parquet') WHERE price > 500");
  EXPECT_NE(out.find("rows: " + std::to_string(want.rows[0][0].as_int()) + "\n"), std::string::npos)
      << out;
}

TEST_F(Mpi, NodeApiStreamAndSinkOnRanks) {
  std::string out;
  std::string cmd =
      "cd " + dir.path() + " && " + mpirun("", 3, NODE_API_EXAMPLE " prices node_out");
  ASSERT_EQ(testing::run_command(cmd, &out), 0) << out;
  // Every ticker with its count, and its sum of doubles equal up to summation order.
  Table diff = duckdb_query(
      "WITH got AS (SELECT * FROM read_parquet('" + dir / "node_out/*.parquet" +
      "')), want AS (SELECT ticker, count(*) AS n, sum(price * volume) AS notional FROM "
      "read_parquet('" +
      testing::small_prices_dir() +
      "/*.parquet') GROUP BY ticker) SELECT count(*), (SELECT count(*) FROM got) FROM got FULL "
      "JOIN want USING (ticker) WHERE got.n IS DISTINCT FROM want.n OR NOT abs(got.notional - "
      "want.notional) <= 1e-9 * abs(want.notional)");
  EXPECT_EQ(diff.rows[0][0].as_int(), 0);
  EXPECT_EQ(diff.rows[0][1].as_int(), 50);  // the tickers
}

TEST_F(Mpi, InMemoryPassingAcrossRanks) {
  std::string out;
  std::string file = pipeline(
      "m.yaml",
      "  - {name: parts, repartition: {input: prices, npartitions: 6, by_rows: true}}\n"
      "  - {name: partial, sql: \"SELECT ticker, count(*) AS n FROM {0} GROUP BY ticker\", "
      "inputs: [parts]}\n"
      "  - {name: one, repartition: {input: partial, npartitions: 1}}\n"
      "  - {name: total, sql: \"SELECT ticker, sum(n)::BIGINT AS n FROM {0} GROUP BY ticker\", "
      "inputs: [one]}\n"
      "  - {name: save, write_parquet: {input: total, path: mem_out}}\n");
  ASSERT_EQ(testing::run_command(
                mpirun("", 3, SMALLPOND_CLI " run " + file + " --memory-passing 10000000"), &out),
            0)
      << out;
  // The summary's in_mem column: the 6 partial aggregates went through memory.
  size_t line = out.find("\npartial ");
  ASSERT_NE(line, std::string::npos) << out;
  std::istringstream row(out.substr(line + 1, out.find('\n', line + 1) - line - 1));
  std::string step;
  int tasks, ran, reused, retries, in_memory;
  row >> step >> tasks >> ran >> reused >> retries >> in_memory;
  EXPECT_EQ(in_memory, 6) << out;
  EXPECT_EQ(written("mem_out").rows, truth("SELECT ticker, count(*) AS n").rows);
}

TEST_F(Mpi, FivePercentInjectedFaultsOnAMultiStepPipeline) {
  std::string out;
  std::string file = pipeline(
      "f.yaml",
      "  - {name: parts, repartition: {input: prices, npartitions: 8, by_rows: true}}\n"
      "  - {name: partial, sql: \"SELECT ticker, count(*) AS n FROM {0} GROUP BY ticker\", "
      "inputs: [parts]}\n"
      "  - {name: by_ticker, repartition: {input: partial, npartitions: 3, hash_by: ticker}}\n"
      "  - {name: total, sql: \"SELECT ticker, sum(n)::BIGINT AS n FROM {0} GROUP BY ticker\", "
      "inputs: [by_ticker]}\n"
      "  - {name: save, write_parquet: {input: total, path: fault_out}}\n");
  ASSERT_EQ(testing::run_command(
                mpirun("", 3, SMALLPOND_CLI " run " + file + " --fault-inject 0.05 --max-retry 10"),
                &out),
            0)
      << out;
  EXPECT_EQ(written("fault_out").rows, truth("SELECT ticker, count(*) AS n").rows);
}

TEST_F(Mpi, CrashedTaskProcessIsRetried) {
  std::string out, marker = dir / "crashed";
  std::string file = pipeline("q.yaml", quickstart_steps("out"));
  std::string cmd = "SMALLPOND_FAULT_CRASH_ONCE=" + marker + " " +
                    mpirun("-x SMALLPOND_FAULT_CRASH_ONCE", 3, SMALLPOND_CLI " run " + file);
  ASSERT_EQ(testing::run_command(cmd, &out), 0) << out;
  EXPECT_TRUE(path_exists(marker));
  EXPECT_EQ(written("out").rows, truth(kStats).rows);
}

// 40 tasks of a few hundred milliseconds each: long enough to kill a rank in the middle.
std::string slow_steps(const std::string& out) {
  return "  - {name: parts, repartition: {input: prices, npartitions: 40, by_rows: true}}\n"
         "  - name: slow\n"
         "    sql: \"SELECT ticker, count(*) AS n, (SELECT count(*) FROM range(30000000) r WHERE "
         "r.range % 7 = 9) AS z"
         " FROM {0} GROUP BY ticker\"\n"
         "    inputs: [parts]\n"
         "  - {name: save, write_parquet: {input: slow, path: " +
         out + "}}\n";
}

TEST_F(Mpi, KilledRankIsReplacedWithRecovery) {
  std::string out, file = pipeline("s.yaml", slow_steps("out"));
  int killed = 0;
  std::thread killer([&] {
    testing::wait_for_attempts(dir / ".smallpond/s", 4);  // in the middle of the 40 tasks
    killed = kill_rank(2);
  });
  int status = testing::run_command(
      mpirun("--enable-recovery", 4, SMALLPOND_CLI " run " + file + " --heartbeat-timeout 3"),
      &out);
  killer.join();
  ASSERT_EQ(killed, 1) << "rank 2 was not running at the time of the kill";
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("stopped answering"), std::string::npos) << out;
  Table got = sorted(duckdb_query("SELECT ticker, sum(n)::BIGINT AS n FROM read_parquet('" +
                                  dir / "out/*.parquet" + "') GROUP BY ticker"));
  EXPECT_EQ(got.rows, truth("SELECT ticker, count(*) AS n").rows);
}

// Partial aggregates kept in the ranks' memory, then sent rank to rank to the final one; a rank
// killed meanwhile takes its tables with it: they are recomputed from their inputs (lineage).
TEST_F(Mpi, KilledRankLosesInMemoryOutputsWhichAreRecomputed) {
  std::string out,
      file = pipeline("k.yaml",
                      "  - {name: parts, repartition: {input: prices, npartitions: 40, by_rows: "
                      "true}}\n"
                      "  - name: slow\n"
                      "    sql: \"SELECT ticker, count(*) AS n, (SELECT count(*) FROM "
                      "range(30000000) r WHERE r.range % 7 = 9) AS z FROM {0} GROUP BY ticker\"\n"
                      "    inputs: [parts]\n"
                      "  - {name: one, repartition: {input: slow, npartitions: 1}}\n"
                      "  - {name: total, sql: \"SELECT ticker, sum(n)::BIGINT AS n FROM {0} GROUP "
                      "BY ticker\", inputs: [one]}\n"
                      "  - {name: save, write_parquet: {input: total, path: out}}\n");
  int killed = 0;
  std::thread killer([&] {
    testing::wait_for_attempts(dir / ".smallpond/k", 6);  // some outputs held by rank 2
    killed = kill_rank(2);
  });
  int status = testing::run_command(
      mpirun("--enable-recovery", 4,
             SMALLPOND_CLI " run " + file + " --heartbeat-timeout 3 --memory-passing 10000000"),
      &out);
  killer.join();
  ASSERT_EQ(killed, 1) << "rank 2 was not running at the time of the kill";
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("stopped answering"), std::string::npos) << out;
  EXPECT_NE(out.find("recomputing slow["), std::string::npos) << out;
  Table got = sorted(duckdb_query("SELECT * FROM read_parquet('" + dir / "out/*.parquet" + "')"));
  EXPECT_EQ(got.rows, truth("SELECT ticker, count(*) AS n").rows);
}

TEST_F(Mpi, KilledRankWithoutRecoveryAbortsAndRerunResumes) {
  std::string out, file = pipeline("s.yaml", slow_steps("out"));
  std::thread killer([&] {
    testing::wait_for_attempts(dir / ".smallpond/s", 4);  // in the middle of the 40 tasks
    kill_rank(1);
  });
  int status = testing::run_command(mpirun("", 3, SMALLPOND_CLI " run " + file), &out);
  killer.join();
  ASSERT_NE(status, 0) << "the job should have been aborted:\n" << out;
  EXPECT_FALSE(path_exists(dir / "out"));
  ASSERT_EQ(testing::run_command(mpirun("", 3, SMALLPOND_CLI " run " + file), &out), 0) << out;
  EXPECT_EQ(out.find(" 0 reused"), std::string::npos) << "the rerun should reuse finished tasks:\n"
                                                      << out;
  Table got = sorted(duckdb_query("SELECT ticker, sum(n)::BIGINT AS n FROM read_parquet('" +
                                  dir / "out/*.parquet" + "') GROUP BY ticker"));
  EXPECT_EQ(got.rows, truth("SELECT ticker, count(*) AS n").rows);
}

// Rank 0 killed in the middle of a job: the executor ranks hear its heartbeats stop and abort
// the MPI job, so mpirun ends (it used to wait for ever); nothing is published; a rerun
// resumes. (Under --enable-recovery mpirun's own exit status is 0 whatever the ranks did.)
TEST_F(Mpi, KilledRankZeroEndsTheRun) {
  std::string out, file = pipeline("s.yaml", slow_steps("out"));
  int killed = 0;
  std::thread killer([&] {
    testing::wait_for_attempts(dir / ".smallpond/s", 4);
    killed = kill_rank(0);
  });
  int status = testing::run_command(
      "SMALLPOND_SCHEDULER_TIMEOUT=3 " +
          mpirun("--enable-recovery", 4, SMALLPOND_CLI " run " + file + " --quiet"),
      &out);
  killer.join();
  ASSERT_EQ(killed, 1);
  EXPECT_NE(status, 124) << "mpirun did not end:\n" << out;
  EXPECT_NE(out.find("rank 0 (the scheduler)"), std::string::npos) << out;
  EXPECT_FALSE(path_exists(dir / "out"));
  ASSERT_EQ(testing::run_command(mpirun("", 3, SMALLPOND_CLI " run " + file + " --quiet"), &out), 0)
      << out;
  Table got = sorted(duckdb_query("SELECT ticker, sum(n)::BIGINT AS n FROM read_parquet('" +
                                  dir / "out/*.parquet" + "') GROUP BY ticker"));
  EXPECT_EQ(got.rows, truth("SELECT ticker, count(*) AS n").rows);
}

// A rank stopped (SIGSTOP) past the heartbeat timeout is retired and its task runs elsewhere;
// continued afterwards, it learns it was retired and leaves, so the job and mpirun both end.
TEST_F(Mpi, AStoppedRankIsRetiredAndLeavesWhenContinued) {
  // Slower tasks than slow_steps: the job outlasts the stop, so the rank wakes while rank 0
  // still runs and hears that it was retired.
  std::string steps = slow_steps("out");
  steps.replace(steps.find("range(30000000)"), 15, "range(90000000)");
  std::string out, file = pipeline("s.yaml", steps);
  int stopped = 0;
  std::thread freezer([&] {
    testing::wait_for_attempts(dir / ".smallpond/s", 4);
    stopped = signal_rank(2, SIGSTOP);
    std::this_thread::sleep_for(std::chrono::milliseconds(3500));  // past the 2 s timeout
    signal_rank(2, SIGCONT);
  });
  int status = testing::run_command(
      mpirun("--enable-recovery", 4, SMALLPOND_CLI " run " + file + " --heartbeat-timeout 2"),
      &out);
  freezer.join();
  ASSERT_EQ(stopped, 1);
  EXPECT_NE(status, 124) << "mpirun did not end:\n" << out;
  EXPECT_NE(out.find("stopped answering"), std::string::npos) << out;
  EXPECT_NE(out.find("smallpond executor on MPI rank 2: retired by rank 0 (the scheduler)"),
            std::string::npos)
      << out;
  Table got = sorted(duckdb_query("SELECT ticker, sum(n)::BIGINT AS n FROM read_parquet('" +
                                  dir / "out/*.parquet" + "') GROUP BY ticker"));
  EXPECT_EQ(got.rows, truth("SELECT ticker, count(*) AS n").rows);
}

}  // namespace
}  // namespace smallpond
