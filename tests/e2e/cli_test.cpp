// End to end through `smallpond run PIPELINE.yaml`.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "e2e/cli_run.h"
#include "io/filesystem.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::duckdb_query;
using testing::sorted;

using testing::CliRun;
using testing::contains;
using testing::smallpond_cli;

// The quick start as a pipeline file, with paths relative to the file.
std::string quickstart_yaml(const std::string& sql) {
  return "steps:\n"
         "  - name: prices\n"
         "    read_parquet: \"prices/*.parquet\"\n"
         "  - name: by_ticker\n"
         "    repartition: {input: prices, npartitions: 3, hash_by: ticker}\n"
         "  - name: stats\n"
         "    sql: \"" +
         sql +
         "\"\n"
         "    inputs: [by_ticker]\n"
         "  - name: save\n"
         "    write_parquet: {input: stats, path: \"out/stats\"}\n";
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    // prices/ beside the pipeline file: a link to the shared sample data.
    std::string cmd = "ln -s " + testing::small_prices_dir() + " " + (dir / "prices");
    ASSERT_EQ(testing::run_command(cmd, nullptr), 0);
  }
  std::string pipeline(const std::string& yaml) {
    testing::write_text(dir / "pipeline.yaml", yaml);
    return dir / "pipeline.yaml";
  }
  testing::TempDir dir;
};

const char* kStats =
    "SELECT ticker, min(price) AS lo, max(price) AS hi, count(*) AS n FROM {0} GROUP BY ticker";

TEST_F(Cli, QuickstartPipelineEqualsDuckDBAndResumes) {
  std::string file = pipeline(quickstart_yaml(kStats));
  CliRun first = smallpond_cli("run " + file + " --executors 2");
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_TRUE(contains(first.output, "stats")) << "no per-step summary:\n" << first.output;
  Table truth = duckdb_query(
      "SELECT ticker, min(price) AS lo, max(price) AS hi, count(*) AS n FROM read_parquet('" +
      testing::small_prices_dir() + "/*.parquet') GROUP BY ticker");
  Table got = duckdb_query("SELECT * FROM read_parquet('" + dir / "out/stats/*.parquet" + "')");
  EXPECT_EQ(sorted(got).rows, sorted(truth).rows);
  EXPECT_TRUE(path_exists(dir / ".smallpond/pipeline")) << "default job dir beside the pipeline";

  CliRun second = smallpond_cli("run " + file + " --executors 2");
  ASSERT_EQ(second.status, 0) << second.output;
  EXPECT_TRUE(contains(second.output, "0 tasks ran")) << second.output;

  // A changed query is computed again, and so is the shuffle: its producers run the query's
  // partial aggregate (the combiner), which changed with it.
  pipeline(quickstart_yaml("SELECT ticker, count(*) AS n FROM {0} GROUP BY ticker"));
  CliRun third = smallpond_cli("run " + file + " --executors 2");
  ASSERT_EQ(third.status, 0) << third.output;
  EXPECT_TRUE(contains(third.output, "7 tasks ran, 0 reused")) << third.output;
  // A query the combiner leaves alone reads the shuffled rows, of the columns it names only
  // (projection pushdown): its producers run again too (the shuffle is no longer the partial
  // aggregate), then a further change of such a query that reads the same columns recomputes
  // the query's step only.
  pipeline(quickstart_yaml("SELECT ticker, count(DISTINCT price) AS n FROM {0} GROUP BY ticker"));
  ASSERT_EQ(smallpond_cli("run " + file + " --executors 2").status, 0);
  pipeline(
      quickstart_yaml("SELECT ticker, count(DISTINCT price) + 0 AS n FROM {0} GROUP BY ticker"));
  CliRun fifth = smallpond_cli("run " + file + " --executors 2");
  ASSERT_EQ(fifth.status, 0) << fifth.output;
  EXPECT_TRUE(contains(fifth.output, "3 tasks ran, 4 reused")) << fifth.output;
  Table counts =
      duckdb_query("SELECT count(*) FROM read_parquet('" + dir / "out/stats/*.parquet" + "')");
  EXPECT_EQ(counts.rows[0][0].as_int(), 50);
}

TEST_F(Cli, ExplicitJobDirAndOneExecutor) {
  std::string file = pipeline(quickstart_yaml(kStats));
  CliRun r =
      smallpond_cli("run " + file + " --executors 1 --job-dir " + (dir / "myjob") + " --quiet");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "") << "--quiet prints nothing on success";
  EXPECT_FALSE(list_files_recursive(dir / "myjob/data").empty());
}

TEST_F(Cli, SrunWithoutMpiIsRefusedUnlessAskedFor) {
  // What srun sets for each of 3 tasks when no MPI plugin launches them: they would each run
  // the whole job, so the program stops with the fix instead.
  std::string file = pipeline(quickstart_yaml(kStats));
  CliRun r = smallpond_cli("run " + file + " --quiet");
  ASSERT_EQ(r.status, 0) << r.output;
  std::string env = "SLURM_STEP_NUM_TASKS=3 ";
  r.status = testing::run_command(env + SMALLPOND_CLI " run " + file, &r.output);
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_TRUE(contains(r.output, "started by srun as one of 3 tasks")) << r.output;
  // The way out (srun --mpi=pmix, or for a build without MPI, one task) and the override.
  EXPECT_TRUE(contains(r.output, "SMALLPOND_MPI=0")) << r.output;
  r.status = testing::run_command(
      "SMALLPOND_MPI=0 " + env + SMALLPOND_CLI " run " + file + " --quiet", &r.output);
  EXPECT_EQ(r.status, 0) << r.output;
}

TEST_F(Cli, BadSqlFailsWithOneClearMessageAndNoOutput) {
  std::string file = pipeline(quickstart_yaml("SELECT tickr FROM {0}"));
  CliRun r = smallpond_cli("run " + file + " --executors 2");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.output, "smallpond: error: step 'stats'")) << r.output;
  EXPECT_TRUE(contains(r.output, "query: SELECT tickr FROM {0}")) << r.output;
  EXPECT_FALSE(path_exists(dir / "out/stats"));
}

// A query the optimizer moved into a shuffle's producers fails there: the error shows the query
// it ran and says how to run each step as written; with --no-optimize it names the step.
TEST_F(Cli, AFailingQueryMovedBeforeTheShuffleIsShownAndCanBeRunAsWritten) {
  std::string file =
      pipeline(quickstart_yaml("SELECT ticker, max(ticker::INT) AS m FROM {0} GROUP BY ticker"));
  CliRun moved = smallpond_cli("run " + file + " --executors 2 --quiet");
  EXPECT_EQ(moved.status, 1);
  EXPECT_TRUE(contains(moved.output, "query run before the shuffle")) << moved.output;
  EXPECT_TRUE(contains(moved.output, "--no-optimize")) << moved.output;
  CliRun as_written = smallpond_cli("run " + file + " --executors 2 --quiet --no-optimize");
  EXPECT_EQ(as_written.status, 1);
  EXPECT_TRUE(contains(as_written.output, "smallpond: error: step 'stats'")) << as_written.output;
  EXPECT_TRUE(contains(as_written.output,
                       "query: SELECT ticker, max(ticker::INT) AS m FROM {0} GROUP BY ticker"))
      << as_written.output;
  EXPECT_FALSE(path_exists(dir / "out/stats"));
}

TEST_F(Cli, BadPipelineFileNamesFileAndLine) {
  std::string file = pipeline(
      "steps:\n  - name: a\n    read_parquet: x\n  - name: b\n    sql: 'SELECT 1'\n    inputs: "
      "[zz]\n");
  CliRun r = smallpond_cli("run " + file);
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.output, "pipeline.yaml:6: step 'b': unknown input 'zz'")) << r.output;
  CliRun missing = smallpond_cli("run " + (dir / "nope.yaml"));
  EXPECT_NE(missing.status, 0);
  EXPECT_TRUE(contains(missing.output, "nope.yaml")) << missing.output;
}

TEST_F(Cli, MissingInputFails) {
  std::string yaml = quickstart_yaml(kStats);
  yaml.replace(yaml.find("prices/*.parquet"), 16, "absent/*.parquet");
  CliRun r = smallpond_cli("run " + pipeline(yaml));
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.output, "step 'prices': no files match")) << r.output;
  EXPECT_TRUE(contains(r.output, "absent/*.parquet")) << r.output;
  EXPECT_FALSE(path_exists(dir / "out/stats"));
}

TEST_F(Cli, ShowPrintsRows) {
  CliRun r = smallpond_cli("show " + testing::small_prices_dir() + " -n 3");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "ticker")) << r.output;
  EXPECT_TRUE(contains(r.output, std::to_string(testing::kSmallPricesRows) + " rows in 6 files"))
      << r.output;
}

}  // namespace
}  // namespace smallpond

namespace smallpond {
namespace {

// What a new user types wrong, and what they are told.
TEST_F(Cli, BadArgumentsExitWithTwoAndAHint) {
  CliRun typo = smallpond_cli("rnu " + pipeline(quickstart_yaml(kStats)));
  EXPECT_EQ(typo.status, 2) << typo.output;
  EXPECT_TRUE(contains(typo.output, "did you mean 'run'?")) << typo.output;
  CliRun option = smallpond_cli("run " + (dir / "pipeline.yaml") + " --executor 2");
  EXPECT_EQ(option.status, 2) << option.output;
  EXPECT_TRUE(contains(option.output, "did you mean '--executors'?")) << option.output;
  EXPECT_EQ(smallpond_cli("--version").status, 0);
}

TEST_F(Cli, PipelineMistakesAreNamedWithTheirLine) {
  std::string yaml = quickstart_yaml(kStats);
  yaml.replace(yaml.find("    inputs: [by_ticker]"), 23, "    input: [by_ticker]");
  CliRun r = smallpond_cli("run " + pipeline(yaml));
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.output,
                       "pipeline.yaml:8: step 'stats': unknown key 'input'; did you "
                       "mean 'inputs'?"))
      << r.output;
  yaml = quickstart_yaml(kStats);
  yaml.replace(yaml.find("path: \"out/stats\""), 17, "");
  r = smallpond_cli("run " + pipeline(yaml));
  EXPECT_TRUE(contains(r.output, "pipeline.yaml:9: step 'save': missing 'path'")) << r.output;
}

// A syntax error in the last step is found before the steps before it run.
TEST_F(Cli, SyntaxErrorsAreFoundBeforeAnythingRuns) {
  CliRun r = smallpond_cli("run " + pipeline(quickstart_yaml("SELEC ticker FROM {0}")));
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.output, "step 'stats'")) << r.output;
  EXPECT_TRUE(contains(r.output, "syntax error")) << r.output;
  EXPECT_FALSE(path_exists(dir / ".smallpond/pipeline/data")) << "tasks ran first";
}

// The processes whose environment holds `mark` (VAR=value).
int processes_marked(const std::string& mark) {
  int found = 0;
  std::error_code ec;  // processes come and go while /proc is read: skip those that went
  for (auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::ifstream file(entry.path() / "environ", std::ios::binary);
    std::string env((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    found += env.find(mark + '\0') != std::string::npos;
  }
  return found;
}

TEST_F(Cli, ExecutorsStartedBeforeAFailedPlanEndWithIt) {
  // Local executors start while the driver plans; a plan that fails must not leave them behind.
  std::string mark = "SMALLPOND_TEST_MARK=" + std::to_string(::getpid()) + "-planning";
  CliRun r = smallpond_cli(
      "run " + pipeline(quickstart_yaml("SELEC ticker FROM {0}")) + " --executors 3", mark);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "syntax error")) << r.output;
  int left = processes_marked(mark);
  for (int i = 0; i < 100 && left > 0; i++) {  // they notice the driver's end within moments
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    left = processes_marked(mark);
  }
  EXPECT_EQ(left, 0) << "executors outlived the failed run";
}

TEST_F(Cli, ExplainPrintsThePlanAndRunsNothing) {
  std::string file = pipeline(quickstart_yaml(kStats));
  CliRun r = smallpond_cli("explain " + file + " --executors 2");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "Logical plan")) << r.output;
  EXPECT_TRUE(contains(r.output, "hash_partition 3 partitions by hash(ticker)")) << r.output;
  EXPECT_TRUE(contains(r.output, "publishes " + dir / "out/stats")) << r.output;
  EXPECT_FALSE(path_exists(dir / "out/stats"));
  EXPECT_FALSE(path_exists(dir / ".smallpond/pipeline/data"));
  ASSERT_EQ(smallpond_cli("run " + file + " --executors 2 --quiet").status, 0);
  r = smallpond_cli("explain " + file + " --executors 2");
  EXPECT_TRUE(contains(r.output, "7 on executors, 7 of them already in")) << r.output;
}

TEST_F(Cli, APipelineWithoutOutputSaysWhereItsResultsAre) {
  std::string yaml = quickstart_yaml(kStats);
  yaml = yaml.substr(0, yaml.find("  - name: save"));
  CliRun r = smallpond_cli("run " + pipeline(yaml));
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "no write_parquet step")) << r.output;
  EXPECT_TRUE(contains(r.output, "'stats'")) << r.output;
}

TEST_F(Cli, GenerateFillsAnEmptyDirectoryAndRefusesOthers) {
  make_dirs(dir / "empty");
  CliRun r = smallpond_cli("generate prices " + (dir / "empty") + " --rows 1000 --files 2");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(duckdb_query("SELECT count(*) FROM read_parquet('" + (dir / "empty/*.parquet") + "')")
                .rows[0][0]
                .as_int(),
            1000);
  r = smallpond_cli("generate prices " + (dir / "empty") + " --rows 1000 --files 2");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "holds these prices already")) << r.output;
  r = smallpond_cli("generate prices " + (dir / "empty") + " --rows 2000 --files 2");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "other settings (rows 1000")) << r.output;
  make_dirs(dir / "mine");
  testing::write_text(dir / "mine/notes.txt", "x");
  r = smallpond_cli("generate prices " + (dir / "mine") + " --rows 10");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_EQ(read_file(dir / "mine/notes.txt"), "x");
}

// Ctrl-C says how to go on; going on resumes.
TEST_F(Cli, InterruptSaysHowToResume) {
  std::string yaml = quickstart_yaml(
      "SELECT ticker, count(*) AS n, (SELECT count(*) FROM range(20000000) r WHERE r.range % 7 "
      "= 9) AS z FROM {0} GROUP BY ticker");
  yaml.replace(yaml.find("npartitions: 3"), 14, "npartitions: 12");
  std::string file = pipeline(yaml);
  std::string pid_file = dir / "pid";
  CliRun r;
  std::thread job([&] {
    r.status =
        testing::run_command("sh -c '" + std::string(SMALLPOND_CLI) + " run " + file +
                                 " --executors 2 & echo $! > " + pid_file + "; wait $!; exit $?'",
                             &r.output);
  });
  testing::wait_for_attempts(dir / ".smallpond/pipeline", 5);
  int pid = std::stoi(read_file(pid_file));
  ::kill(pid, SIGINT);
  job.join();
  EXPECT_EQ(r.status, 130) << r.output;
  EXPECT_TRUE(contains(r.output, "interrupted; run the same command again to resume")) << r.output;
  CliRun again = smallpond_cli("run " + file + " --executors 2");
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_FALSE(contains(again.output, " 0 reused")) << again.output;
}

}  // namespace
}  // namespace smallpond

namespace smallpond {
namespace {

// A step's result by its name, files of any format, and a job directory cleaned of old outputs.
TEST_F(Cli, ShowByStepAndCleanOldOutputs) {
  std::string file = pipeline(quickstart_yaml(kStats));
  ASSERT_EQ(smallpond_cli("run " + file + " --quiet").status, 0);
  CliRun step = smallpond_cli("show " + file + " stats -n 100");
  ASSERT_EQ(step.status, 0) << step.output;
  EXPECT_TRUE(contains(step.output, "ticker")) << step.output;
  EXPECT_TRUE(contains(step.output, "T00049")) << step.output;  // all 50 tickers shown
  CliRun by_dir = smallpond_cli("show " + (dir / ".smallpond/pipeline") + " by_ticker -n 3");
  ASSERT_EQ(by_dir.status, 0) << by_dir.output;
  // The shuffle holds the stats query's partial aggregate (the combiner): one row per ticker
  // from each of its 4 producers.
  EXPECT_TRUE(contains(by_dir.output, "200 rows")) << by_dir.output;
  CliRun unknown = smallpond_cli("show " + file + " stat");
  EXPECT_EQ(unknown.status, 1);
  EXPECT_TRUE(contains(unknown.output, "no step 'stat'")) << unknown.output;

  testing::write_text(dir / "data.csv", "a,b\n1,x\n2,y\n");
  CliRun csv = smallpond_cli("show " + (dir / "data.csv"));
  ASSERT_EQ(csv.status, 0) << csv.output;
  EXPECT_TRUE(contains(csv.output, "a") && contains(csv.output, "y")) << csv.output;
  testing::write_text(dir / "notes.txt", "hello");
  CliRun txt = smallpond_cli("show " + (dir / "notes.txt"));
  EXPECT_EQ(txt.status, 1);
  EXPECT_TRUE(contains(txt.output, "not a Parquet, CSV or JSON file")) << txt.output;

  // Another version of the query: the first one's outputs are no longer used.
  pipeline(quickstart_yaml("SELECT ticker, count(*) AS n FROM {0} GROUP BY ticker"));
  ASSERT_EQ(smallpond_cli("run " + file + " --quiet").status, 0);
  CliRun clean = smallpond_cli("clean " + file);
  ASSERT_EQ(clean.status, 0) << clean.output;
  EXPECT_TRUE(contains(clean.output, "removed 7 task outputs")) << clean.output;
  CliRun again = smallpond_cli("run " + file);
  EXPECT_TRUE(contains(again.output, "0 tasks ran")) << again.output;
  // After a run that reused everything, every step is still known, and cleaning keeps it all.
  CliRun upstream = smallpond_cli("show " + file + " by_ticker -n 1");
  ASSERT_EQ(upstream.status, 0) << upstream.output;
  CliRun clean_again = smallpond_cli("clean " + file);
  EXPECT_TRUE(contains(clean_again.output, "removed 0 task outputs")) << clean_again.output;
  EXPECT_TRUE(contains(smallpond_cli("run " + file).output, "0 tasks ran"));
  // A run that did not finish keeps its tasks for the next one: nothing is cleaned then.
  pipeline(quickstart_yaml("SELECT ticker, count(*) AS n, nope FROM {0} GROUP BY ticker"));
  EXPECT_EQ(smallpond_cli("run " + file + " --quiet").status, 1);
  CliRun refused = smallpond_cli("clean " + file);
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_TRUE(contains(refused.output, "did not finish")) << refused.output;
}

}  // namespace
}  // namespace smallpond
