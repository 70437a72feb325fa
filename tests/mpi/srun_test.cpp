// smallpond started by Slurm's srun instead of mpirun (label "slurm"): the tasks srun starts are
// the MPI ranks, rank 0 schedules. Needs srun, a Slurm controller that answers and an MPI plugin
// that this MPI library can use (pmix for Open MPI); otherwise every test is skipped.
// scripts/slurm-local.sh starts a one-node cluster on this machine (export SLURM_CONF as it says).
// SMALLPOND_SRUN_MPI picks the plugin (default: pmix).
#include <gtest/gtest.h>

#include <cstdlib>

#include "io/filesystem.h"
#include "mpi/prices_pipeline_test.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::duckdb_query;
using testing::sorted;

std::string srun_plugin() {
  const char* p = std::getenv("SMALLPOND_SRUN_MPI");
  return p && *p ? p : "pmix";
}

// The last line of a command's output, for short skip messages.
std::string last_line(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.substr(text.rfind('\n') + 1);
}

// Why srun cannot be used here, or "" when it can. Checked once per test process.
const std::string& srun_unavailable() {
  static const std::string reason = []() -> std::string {
    std::string out;
    if (testing::run_command("command -v srun", &out) != 0) return "srun is not installed";
    if (testing::run_command("timeout 20 sinfo -h -r -o %T", &out) != 0)
      return "no Slurm controller answers (sinfo: " + last_line(out) +
             "); scripts/slurm-local.sh starts one, then export SLURM_CONF";
    if (out.find("idle") == std::string::npos && out.find("mix") == std::string::npos)
      return "no Slurm node is idle (sinfo: " + last_line(out) + ")";
    if (testing::run_command("timeout 20 srun --mpi=list", &out) != 0 ||
        out.find(srun_plugin()) == std::string::npos)
      return "srun has no MPI plugin '" + srun_plugin() + "' (srun --mpi=list: " + out + ")";
    return "";
  }();
  return reason;
}

// All tasks on one node: the job directory is a local temporary directory.
std::string srun(int ranks, const std::string& command) {
  return "timeout 300 srun --nodes 1 --overcommit --kill-on-bad-exit=1 -n " +
         std::to_string(ranks) + " --mpi=" + srun_plugin() + " " + command;
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) n++;
  return n;
}

class Srun : public testing::PricesPipelineTest {
 protected:
  void SetUp() override {
    if (!srun_unavailable().empty()) GTEST_SKIP() << srun_unavailable();
    PricesPipelineTest::SetUp();
  }
};

TEST_F(Srun, PipelineEqualsLocalRunAndDuckDB) {
  std::string out;
  std::string file = pipeline("q.yaml", quickstart_steps("srun_out"));
  ASSERT_EQ(testing::run_command(srun(3, SMALLPOND_CLI " run " + file), &out), 0) << out;
  // One job, not three independent ones (what srun without a usable MPI plugin gives).
  EXPECT_EQ(count(out, "total: "), 1) << out;
  EXPECT_EQ(out.find("reused from"), std::string::npos) << out;
  std::string local = pipeline("l.yaml", quickstart_steps("local_out"));
  ASSERT_EQ(testing::run_command(SMALLPOND_CLI " run " + local + " --executors 2", &out), 0) << out;
  EXPECT_EQ(written("srun_out").rows, truth(kStats).rows);
  EXPECT_EQ(written("srun_out").rows, written("local_out").rows);
}

// A task process crashes once: the error names the MPI rank that ran it, so the tasks really
// ran on the other ranks, and the retry still gives the right result.
TEST_F(Srun, TasksRunOnOtherRanks) {
  std::string out, marker = dir / "crashed";
  std::string file = pipeline("c.yaml", quickstart_steps("out"));
  std::string cmd =
      "SMALLPOND_FAULT_CRASH_ONCE=" + marker + " " + srun(3, SMALLPOND_CLI " run " + file);
  ASSERT_EQ(testing::run_command(cmd, &out), 0) << out;
  EXPECT_TRUE(path_exists(marker));
  EXPECT_NE(out.find("on MPI rank "), std::string::npos) << out;
  EXPECT_EQ(written("out").rows, truth(kStats).rows);
}

// Without an MPI plugin each task would run the whole job alone: refused, with the fix.
TEST_F(Srun, WithoutMpiPluginIsRefused) {
  std::string out;
  std::string file = pipeline("n.yaml", quickstart_steps("none_out"));
  std::string cmd =
      "timeout 300 srun --nodes 1 --overcommit -n 2 --mpi=none " SMALLPOND_CLI " run " + file;
  EXPECT_NE(testing::run_command(cmd, &out), 0) << out;
  EXPECT_NE(out.find("use srun --mpi=pmix"), std::string::npos) << out;
  EXPECT_FALSE(path_exists(dir / "none_out"));
}

TEST_F(Srun, CppProgramRunsOnRanks) {
  std::string out;
  std::string cmd = "cd " + dir.path() + " && " + srun(4, QUICKSTART_EXAMPLE " prices api_out");
  ASSERT_EQ(testing::run_command(cmd, &out), 0) << out;
  Table want =
      truth("SELECT ticker, min(price) AS min_price, max(price) AS max_price, count(*) AS n");
  EXPECT_EQ(written("api_out").rows, want.rows);
  EXPECT_EQ(count(out, "(50 rows)"), 1) << out;  // printed by rank 0 only
}

}  // namespace
}  // namespace smallpond
