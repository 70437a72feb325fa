// What a run must never do, whatever the user asks or whenever it is killed: replace data it
// did not write, leave no output or a mixed one, reuse a damaged task output, fail on a spill.
#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <functional>
#include <map>
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

CliRun cli(const std::string& args, const std::string& env = "") {
  return testing::smallpond_cli(args, env);
}

// Every file under dir (links not followed) with its content: what must stay as it was.
std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto& f : list_files_recursive(dir)) out[f] = read_file(dir + "/" + f);
  return out;
}

// items/: 3 Parquet files of 0..29999; the pipeline hash-partitions them and keeps a share of
// the rows (its query), written to `out_path`.
class Safety : public ::testing::Test {
 protected:
  void SetUp() override { testing::write_items(dir / "items", 30000, 3); }
  std::string pipeline(const std::string& out_path, const std::string& sink_extra = "",
                       const std::string& sql = kSql) {
    testing::write_text(dir / "pipeline.yaml",
                        "steps:\n"
                        "  - name: items\n"
                        "    read_parquet: items\n"
                        "  - name: by_key\n"
                        "    repartition: {input: items, npartitions: 3, hash_by: item}\n"
                        "  - name: sums\n"
                        "    sql: \"" +
                            sql +
                            "\"\n"
                            "    inputs: [by_key]\n"
                            "  - name: save\n"
                            "    write_parquet: {input: sums, path: \"" +
                            out_path + "\"" + sink_extra + "}\n");
    return dir / "pipeline.yaml";
  }
  // The output's rows, sorted; fails the test when .MANIFEST.txt names a missing file.
  Table output(const std::string& out_dir) {
    for (auto& line : split_lines(read_file(out_dir + "/.MANIFEST.txt")))
      EXPECT_TRUE(path_exists(line)) << line;
    return sorted(duckdb_query("SELECT * FROM read_parquet('" + out_dir + "/*.parquet')"));
  }
  Table truth(const std::string& sql = kSql) {
    std::string q = sql;
    q.replace(q.find("{0}"), 3, "read_parquet('" + (dir / "items") + "/*.parquet')");
    return sorted(duckdb_query(q));
  }
  static std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    size_t at = 0;
    while (at < text.size()) {
      size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      if (end > at) out.push_back(text.substr(at, end - at));
      at = end + 1;
    }
    return out;
  }
  static constexpr const char* kSql = "SELECT item, item * 2 AS twice FROM {0} WHERE item % 7 = 0";
  testing::TempDir dir;
};

TEST_F(Safety, OutputPathsThatWouldDestroyDataAreRefusedAndNothingIsTouched) {
  make_dirs(dir / "notes");
  testing::write_text(dir / "notes/todo.txt", "mine");
  testing::write_text(dir / "report.csv", "a,b\n");
  struct Case {
    std::string path, extra, flags, message;
  };
  testing::write_text(dir / "pipeline.yaml", "");
  std::vector<Case> cases = {
      {".", "", "", "it is the pipeline's directory"},
      {"..", "", "", "it holds the pipeline's directory"},
      {"items", ", overwrite: true", "--overwrite", "an input of step 'items'"},
      {"jobs", "", "--job-dir " + (dir / "jobs/one"), "it holds the job directory"},
      {"notes", "", "", "not a smallpond output (e.g. 'todo.txt'"},
      {"report.csv", "", "", "it is a file"},
  };
  auto before = snapshot(dir.path());  // the pipeline file is written anew for each case
  before.erase("pipeline.yaml");
  for (auto& c : cases) {
    SCOPED_TRACE(c.path);
    CliRun r = cli("run " + pipeline(c.path, c.extra) + " --quiet " + c.flags);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "step 'save': refusing to write")) << r.output;
    EXPECT_TRUE(contains(r.output, c.message)) << r.output;
    auto after = snapshot(dir.path());
    after.erase("pipeline.yaml");
    EXPECT_EQ(after, before);
  }
}

TEST_F(Safety, TwoSinksOnOnePathAreRefused) {
  testing::write_text(dir / "two.yaml",
                      "steps:\n"
                      "  - {name: items, read_parquet: items}\n"
                      "  - {name: a, write_parquet: {input: items, path: out}}\n"
                      "  - {name: b, write_parquet: {input: items, path: out/}}\n");
  CliRun r = cli("run " + (dir / "two.yaml") + " --quiet");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.output, "each output needs a directory of its own")) << r.output;
  EXPECT_FALSE(path_exists(dir / "out"));
}

TEST_F(Safety, AJobDirectoryMustBeEmptyOrOneAlready) {
  make_dirs(dir / "work/staging");
  testing::write_text(dir / "work/staging/draft.txt", "mine");
  auto before = snapshot(dir / "work");
  CliRun r = cli("run " + pipeline("out") + " --quiet --job-dir " + (dir / "work"));
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.output, "not a smallpond job directory")) << r.output;
  EXPECT_EQ(snapshot(dir / "work"), before);
}

TEST_F(Safety, OverwriteReplacesWhatTheUserNamedAndAPreviousOutputNeedsNone) {
  make_dirs(dir / "out");
  testing::write_text(dir / "out/old.txt", "stale");
  CliRun refused = cli("run " + pipeline("out") + " --quiet");
  EXPECT_EQ(refused.status, 1) << refused.output;
  CliRun r = cli("run " + pipeline("out", ", overwrite: true") + " --quiet");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_FALSE(path_exists(dir / "out/old.txt"));
  EXPECT_EQ(output(dir / "out").rows, truth().rows);
  // A previous output is replaced without asking; so is a file with --overwrite.
  std::string other = "SELECT item, item * 3 AS thrice FROM {0} WHERE item % 5 = 0";
  r = cli("run " + pipeline("out", "", other) + " --quiet");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(output(dir / "out").rows, truth(other).rows);
  testing::write_text(dir / "file", "x");
  r = cli("run " + pipeline("file") + " --quiet --overwrite");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(output(dir / "file").rows, truth().rows);
}

// Kill the driver at each step of publishing a new output over an old one: the path holds
// the old output or the new one, complete, never none and never a mix (where the file system
// cannot exchange directories, one step leaves the old output beside the path until the next
// run restores it); the next run finishes and leaves nothing beside it.
TEST_F(Safety, ACrashAtEveryPublishStepLeavesTheOldOrTheNewOutput) {
  const std::string v2 = "SELECT item, item * 3 AS thrice FROM {0} WHERE item % 5 = 0";
  Table old_rows = truth(), new_rows = truth(v2);
  struct Point {
    const char* name;
    bool fallback;  // the two-rename path for file systems without RENAME_EXCHANGE
  };
  std::vector<Point> points = {
      {"sink.before_manifest", false},    {"publish.before_swap", false},
      {"publish.after_exchange", false},  {"publish.before_swap", true},
      {"publish.after_move_aside", true}, {"publish.after_rename", true},
  };
  for (auto& p : points) {
    SCOPED_TRACE(std::string(p.name) + (p.fallback ? " (fallback)" : ""));
    std::string out = dir / "out";
    remove_all(out);
    ASSERT_EQ(cli("run " + pipeline("out") + " --quiet").status, 0);
    std::string marker = dir / "crashed";
    remove_all(marker);
    std::string env = "SMALLPOND_CRASH_POINT=" + std::string(p.name) + ":" + marker +
                      (p.fallback ? " SMALLPOND_NO_RENAME_EXCHANGE=1" : "");
    CliRun killed = cli("run " + pipeline("out", "", v2) + " --quiet", env);
    ASSERT_TRUE(path_exists(marker)) << "the crash point was not reached\n" << killed.output;
    EXPECT_NE(killed.status, 0);
    if (std::string(p.name) == "publish.after_move_aside") {
      // The one gap of the two-rename path: the old output is only beside the path until the
      // next run starts, which puts it back before anything else, even when that run fails.
      EXPECT_FALSE(path_exists(out));
      CliRun failing = cli("run " + pipeline("out", "", "SELECT nope FROM {0}") + " --quiet");
      EXPECT_EQ(failing.status, 1) << failing.output;
      EXPECT_EQ(output(out).rows, old_rows.rows);
    }
    ASSERT_TRUE(path_exists(out + "/.MANIFEST.txt")) << "no output after the crash";
    Table after_crash = output(out);
    EXPECT_TRUE(after_crash.rows == old_rows.rows || after_crash.rows == new_rows.rows);
    CliRun rerun = cli("run " + pipeline("out", "", v2) + " --quiet",
                       p.fallback ? "SMALLPOND_NO_RENAME_EXCHANGE=1" : "");
    ASSERT_EQ(rerun.status, 0) << rerun.output;
    EXPECT_EQ(output(out).rows, new_rows.rows);
    for (auto& f : list_files_recursive(dir.path()))
      EXPECT_FALSE(contains(f, "out.smallpond-staging-") || contains(f, "out.smallpond-old-")) << f;
  }
}

// A job with two outputs publishes both or neither: when the second cannot be built (a full
// disk), the first is not replaced either, and nothing is left beside them.
TEST_F(Safety, TwoOutputsAreBothReplacedOrNeither) {
  auto two = [&](const std::string& sql) {
    testing::write_text(dir / "two.yaml",
                        "steps:\n"
                        "  - {name: items, read_parquet: items}\n"
                        "  - {name: sums, sql: \"" +
                            sql +
                            "\", inputs: [items]}\n"
                            "  - {name: save_a, write_parquet: {input: sums, path: out_a}}\n"
                            "  - {name: save_b, write_parquet: {input: sums, path: out_b}}\n");
    return "run " + (dir / "two.yaml") + " --quiet";
  };
  const std::string v2 = "SELECT item, item * 3 AS thrice FROM {0} WHERE item % 5 = 0";
  ASSERT_EQ(cli(two(kSql)).status, 0);
  std::string marker = dir / "full";
  CliRun failed = cli(two(v2), "SMALLPOND_FAULT_POINT=sink.build.save_b:" + marker);
  ASSERT_TRUE(path_exists(marker)) << failed.output;
  EXPECT_EQ(failed.status, 1) << failed.output;
  EXPECT_TRUE(contains(failed.output, "step 'save_b': cannot write '" + (dir / "out_b") + "'"))
      << failed.output;
  EXPECT_TRUE(contains(failed.output, "No space left on device")) << failed.output;
  EXPECT_FALSE(contains(failed.output, "already replaced")) << failed.output;
  EXPECT_EQ(output(dir / "out_a").rows, truth().rows);
  EXPECT_EQ(output(dir / "out_b").rows, truth().rows);
  for (auto& f : list_files_recursive(dir.path()))
    EXPECT_FALSE(contains(f, ".smallpond-staging-") || contains(f, ".smallpond-old-")) << f;
  ASSERT_EQ(cli(two(v2)).status, 0);
  EXPECT_EQ(output(dir / "out_a").rows, truth(v2).rows);
  EXPECT_EQ(output(dir / "out_b").rows, truth(v2).rows);
}

// A GROUP BY's output split by rows, the GROUP BY and one half damaged, the job run again with
// another thread count (the GROUP BY's rows now come in another order): the other half is not
// reused beside the new version, so no row is lost or repeated.
TEST_F(Safety, AnOutputMadeAnewIsNotMixedWithReadersOfTheOldOne) {
  duckdb_query("COPY (SELECT (i * 7919) % 20011 AS k FROM range(60000) r(i)) TO '" +
               (dir / "keys.parquet") + "' (FORMAT parquet)");
  testing::write_text(dir / "split.yaml",
                      "steps:\n"
                      "  - {name: src, read_parquet: keys.parquet}\n"
                      "  - {name: a, sql: \"SELECT k, count(*) AS c FROM {0} GROUP BY k\", "
                      "inputs: [src]}\n"
                      "  - {name: rp, repartition: {input: a, npartitions: 2, by_rows: true}}\n"
                      "  - {name: c, sql: \"SELECT k, c FROM {0}\", inputs: [rp]}\n"
                      "  - {name: save, write_parquet: {input: c, path: out}}\n");
  std::string run = "run " + (dir / "split.yaml") + " --quiet --executors 2 --job-dir " +
                    (dir / "jd") + " --threads-per-task ";
  Table truth = duckdb_query("SELECT count(*), sum(c) FROM (SELECT k, count(*) AS c FROM '" +
                             (dir / "keys.parquet") + "' GROUP BY k)");
  auto counts = [&] {
    return duckdb_query("SELECT count(DISTINCT k), sum(c) FROM read_parquet('" + (dir / "out") +
                        "/*.parquet')");
  };
  ASSERT_EQ(cli(run + "2").status, 0);
  EXPECT_EQ(counts().rows, truth.rows);
  for (const char* threads : {"1", "2"}) {
    SCOPED_TRACE(std::string("rerun with ") + threads + " threads");
    for (auto& f : list_files_recursive(dir / "jd/data")) {
      bool a = f.rfind("a.sql-0-", 0) == 0, c1 = f.rfind("c.sql-1-", 0) == 0;
      if ((a || c1) && f.find(".parquet") != std::string::npos)
        testing::write_text(dir / "jd/data" + "/" + f, "");  // emptied, as by a power loss
    }
    CliRun rerun = cli(run + threads);
    ASSERT_EQ(rerun.status, 0) << rerun.output;
    EXPECT_EQ(counts().rows, truth.rows);
  }
}

// Kill an executor just before and just after it publishes a task output, with task outputs
// flushed or not: the task is retried and the job's result is right.
TEST_F(Safety, ACrashAroundATaskPublishIsRetried) {
  for (std::string flush : {"", " --flush-task-outputs"}) {
    for (std::string point : {"task.before_publish", "task.after_publish"}) {
      SCOPED_TRACE(point + flush);
      std::string name = point + (flush.empty() ? "" : "-flushed");
      std::string marker = dir / ("crashed-" + name);
      CliRun r = cli("run " + pipeline("out") + " --quiet" + flush + " --job-dir " + (dir / name),
                     "SMALLPOND_CRASH_POINT=" + point + ":" + marker);
      ASSERT_EQ(r.status, 0) << r.output;
      EXPECT_TRUE(path_exists(marker));
      EXPECT_EQ(output(dir / "out").rows, truth().rows);
    }
  }
}

// Damage a finished job directory as a disk, a user or a stray process might: the rerun
// recomputes what no longer verifies and is right.
TEST_F(Safety, ADamagedJobDirectoryIsRecomputedNotReused) {
  std::string file = pipeline("out");
  std::string data = dir / ".smallpond/pipeline/data";
  auto task_files = [&](const std::string& prefix) {  // never empty: the test stops instead
    std::vector<std::string> out;
    for (auto& f : list_files_recursive(data))
      if (f.compare(0, prefix.size(), prefix) == 0 && f.size() > 8 &&
          f.compare(f.size() - 8, 8, ".parquet") == 0)
        out.push_back(data + "/" + f);
    if (out.empty()) throw std::runtime_error("no task files named " + prefix + "* in " + data);
    return out;
  };
  std::vector<std::pair<std::string, std::function<void()>>> damages = {
      {"manifest deleted",
       [&] {
         remove_all(task_files("sums.sql-0")[0].substr(0, task_files("sums.sql-0")[0].rfind('/')) +
                    "/_manifest.json");
       }},
      {"data file deleted", [&] { remove_all(task_files("sums.sql-1")[0]); }},
      {"data file truncated",
       [&] {
         std::string f = task_files("sums.sql-2")[0];
         testing::write_text(f, read_file(f).substr(0, 100));
       }},
      // What a power loss leaves of files that had not reached the disk (task outputs are
      // not flushed by default): empty files.
      {"data file emptied", [&] { testing::write_text(task_files("sums.sql-0")[0], ""); }},
      {"manifest emptied",
       [&] {
         std::string f = task_files("sums.sql-1")[0];
         testing::write_text(f.substr(0, f.rfind('/')) + "/_manifest.json", "");
       }},
      {"data file replaced by another task's",
       [&] { copy_file(task_files("sums.sql-0")[0], task_files("sums.sql-1")[0]); }},
  };
  ASSERT_EQ(cli("run " + file + " --quiet").status, 0);
  for (auto& [what, damage] : damages) {
    SCOPED_TRACE(what);
    damage();
    CliRun r = cli("run " + file);
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(output(dir / "out").rows, truth().rows);
    CliRun again = cli("run " + file);
    EXPECT_TRUE(contains(again.output, "0 tasks ran")) << again.output;
  }
}

// Tasks that spill on one executor, one after another: DuckDB keeps one spill directory per
// database, so each executor has one for all its tasks.
TEST_F(Safety, ManySpillingTasksOnOneExecutor) {
  testing::write_items(dir / "big", 3000000, 4);
  testing::write_text(dir / "spill.yaml",
                      "steps:\n"
                      "  - {name: big, read_parquet: big}\n"
                      "  - name: parts\n"
                      "    repartition: {input: big, npartitions: 4}\n"
                      "  - name: sorted\n"
                      "    sql: \"SELECT item, md5(item::VARCHAR) AS h FROM {0} ORDER BY h\"\n"
                      "    inputs: [parts]\n"
                      "  - name: stats\n"
                      "    sql: \"SELECT count(*) AS n, sum(item) AS s, min(h) AS lo FROM {0}\"\n"
                      "    inputs: [sorted]\n"
                      "  - {name: save, write_parquet: {input: stats, path: stats}}\n");
  CliRun r = cli("run " + (dir / "spill.yaml") +
                 " --executors 1 --threads-per-task 1 --memory-per-task 40000000 --max-retry 0");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_FALSE(contains(r.output, "retrying")) << r.output;
  Table got = duckdb_query("SELECT sum(n)::BIGINT, sum(s)::BIGINT, min(lo) FROM read_parquet('" +
                           (dir / "stats") + "/*.parquet')");
  Table truth = duckdb_query(
      "SELECT count(*)::BIGINT, sum(item)::BIGINT, min(md5(item::VARCHAR)) FROM "
      "read_parquet('" +
      (dir / "big") + "/*.parquet')");
  EXPECT_EQ(got.rows, truth.rows);
}

TEST_F(Safety, BadSettingsAreRefusedBeforeAnythingRuns) {
  std::string file = pipeline("out");
  for (const char* flags :
       {"--heartbeat-timeout 0", "--heartbeat-timeout -1", "--threads-per-task -3",
        "--memory-passing -1", "--memory-per-task -5", "--max-fail -2", "--executors -1"}) {
    SCOPED_TRACE(flags);
    CliRun r = cli("run " + file + " --quiet " + flags);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "must be")) << r.output;
    EXPECT_FALSE(path_exists(dir / "out"));
  }
  std::string huge = read_file(file);
  huge.replace(huge.find("npartitions: 3"), 14, "npartitions: 1000000000");
  testing::write_text(file, huge);
  CliRun r = cli("run " + file + " --quiet");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "step 'by_key': npartitions must be between 1 and")) << r.output;
}

}  // namespace
}  // namespace smallpond

namespace smallpond {
namespace {

// The build id of an ELF file, as bytes, read with readelf.
std::string build_id_bytes(const std::string& file) {
  std::string out;
  testing::run_command("readelf -n " + file + " | sed -n 's/.*Build ID: *//p'", &out);
  std::string bytes;
  for (size_t i = 0; i + 1 < out.size() && std::isxdigit(out[i]); i += 2)
    bytes += static_cast<char>(std::stoi(out.substr(i, 2), nullptr, 16));
  return bytes;
}

// A changed program (another build) or other arguments recompute its function steps: a reused
// output could be that of another function.
TEST(FunctionIdentity, AnotherBuildOrOtherArgumentsRecomputeFunctionSteps) {
  testing::TempDir dir;
  ASSERT_EQ(testing::run_command("ln -s " + testing::small_prices_dir() + " " + (dir / "prices"),
                                 nullptr),
            0);
  auto run = [&](const std::string& program, const std::string& args) {
    std::string out;
    int status =
        testing::run_command("cd " + dir.path() + " && " + program + " prices" + args, &out);
    EXPECT_EQ(status, 0) << out;
    return out;
  };
  std::string first = run(FUNCTIONS_EXAMPLE, "");
  std::string again = run(FUNCTIONS_EXAMPLE, "");
  EXPECT_EQ(again.find("total:"), std::string::npos) << "the same build reuses:\n" << again;
  EXPECT_NE(again.find("0 tasks ran"), std::string::npos) << again;
  // What a rebuild does to the program: another build id (same code, same length).
  std::string binary = read_file(FUNCTIONS_EXAMPLE);
  std::string id = build_id_bytes(FUNCTIONS_EXAMPLE);
  ASSERT_GE(id.size(), 8u) << "the example has no build id";
  size_t at = binary.find(id);
  ASSERT_NE(at, std::string::npos);
  binary[at] = static_cast<char>(binary[at] ^ 0x5a);
  make_dirs(dir / "rebuilt");
  testing::write_text(dir / "rebuilt/functions", binary);
  ASSERT_EQ(testing::run_command("chmod +x " + (dir / "rebuilt/functions"), nullptr), 0);
  std::string rebuilt = run(dir / "rebuilt/functions", "");
  // The shuffle (SQL) is reused; the filter and the map (4 tasks each) run again.
  EXPECT_NE(rebuilt.find("total: 8 tasks ran, 4 reused"), std::string::npos)
      << "another build reused:\n"
      << rebuilt;
  std::string other_args = run(FUNCTIONS_EXAMPLE, " --some-parameter 20");
  EXPECT_NE(other_args.find("total: 8 tasks ran, 4 reused"), std::string::npos)
      << "other arguments reused:\n"
      << other_args;
}

}  // namespace
}  // namespace smallpond

namespace smallpond {
namespace {

class ChangedInputs : public ::testing::Test {
 protected:
  // sums.yaml: the sum of b in data/*.csv, written to out/.
  std::string pipeline() {
    testing::write_text(dir / "sums.yaml",
                        "steps:\n"
                        "  - {name: rows, read_csv: {path: \"data/*.csv\", header: true}}\n"
                        "  - {name: sums, sql: \"SELECT sum(b) AS s FROM {0}\", inputs: [rows]}\n"
                        "  - {name: save, write_parquet: {input: sums, path: out}}\n");
    return dir / "sums.yaml";
  }
  int64_t result() {
    return duckdb_query("SELECT s::BIGINT FROM read_parquet('" + (dir / "out/*.parquet") + "')")
        .rows.at(0)
        .at(0)
        .as_int();
  }
  testing::TempDir dir;
};

// Rewritten with other values of the same size, its time set back: still another input.
TEST_F(ChangedInputs, SameSizeAndTimeIsStillAnotherInput) {
  make_dirs(dir / "data");
  testing::write_text(dir / "data/a.csv", "a,b\n1,20\n2,30\n");
  ASSERT_EQ(cli("run " + pipeline() + " --quiet").status, 0);
  EXPECT_EQ(result(), 50);
  testing::write_text(dir / "data/a.csv.new", "a,b\n1,21\n2,30\n");
  ASSERT_EQ(
      testing::run_command("touch -r " + (dir / "data/a.csv") + " " + (dir / "data/a.csv.new") +
                               " && mv " + (dir / "data/a.csv.new") + " " + (dir / "data/a.csv"),
                           nullptr),
      0);
  CliRun r = cli("run " + pipeline() + " --quiet");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(result(), 51);
}

// A file replaced while the job runs fails the job (never a result of two versions); restored
// with its old time afterwards, the rerun reads the restored content.
TEST_F(ChangedInputs, AFileReplacedDuringTheRunFailsItAndIsNotReusedLater) {
  make_dirs(dir / "data");
  for (int f = 0; f < 4; f++)
    testing::write_text(dir / ("data/" + std::to_string(f) + ".csv"),
                        "a,b\n" + std::to_string(f) + ",10\n");
  testing::write_text(dir / "many.yaml",
                      "steps:\n"
                      "  - {name: rows, read_csv: {path: \"data/*.csv\", header: true}}\n"
                      "  - {name: parts, repartition: {input: rows, npartitions: 4}}\n"
                      "  - {name: sums, sql: \"SELECT sum(b) AS s FROM {0}\", inputs: [parts]}\n"
                      "  - {name: save, write_parquet: {input: sums, path: out}}\n");
  std::string marker = dir / "slow";
  std::string original = read_file(dir / "data/2.csv");
  ASSERT_EQ(
      testing::run_command("cp -p " + (dir / "data/2.csv") + " " + (dir / "saved.csv"), nullptr),
      0);
  // One task is held before it starts; meanwhile data/2.csv is replaced, then it goes on.
  CliRun r;
  std::string release = dir / "release";
  std::thread job([&] {
    r = cli("run " + (dir / "many.yaml") + " --quiet --executors 1 --no-speculation",
            "SMALLPOND_FAULT_SLOW_ONCE=" + marker + ":120:" + release);
  });
  for (int i = 0; i < 4800 && !path_exists(marker); i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  testing::write_text(dir / "data/2.csv", "a,b\n2,99\n");
  testing::write_text(release, "");
  job.join();
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "data/2.csv' changed after the job was planned")) << r.output;
  EXPECT_TRUE(contains(r.output, "not retried")) << r.output;
  EXPECT_FALSE(path_exists(dir / "out"));
  ASSERT_EQ(
      testing::run_command("cp -p " + (dir / "saved.csv") + " " + (dir / "data/2.csv"), nullptr),
      0);
  ASSERT_EQ(read_file(dir / "data/2.csv"), original);
  CliRun rerun = cli("run " + (dir / "many.yaml") + " --quiet --executors 1");
  ASSERT_EQ(rerun.status, 0) << rerun.output;
  EXPECT_EQ(
      duckdb_query("SELECT sum(s)::BIGINT FROM read_parquet('" + (dir / "out/*.parquet") + "')")
          .rows.at(0)
          .at(0)
          .as_int(),
      40);
}

}  // namespace
}  // namespace smallpond

namespace smallpond {
namespace {

// A full output file system is named as such (a 2 MiB tmpfs; skipped where mounting is not
// allowed), and the previous output stays.
TEST(FullDisk, TheCauseIsNamedAndNothingIsHalfWritten) {
  testing::TempDir dir;
  make_dirs(dir / "small");
  if (testing::run_command("mount -t tmpfs -o size=2m tmpfs " + (dir / "small"), nullptr) != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here";
  testing::write_items(dir / "items", 400000, 2);  // about 3 MB as Parquet
  testing::write_text(dir / "copy.yaml",
                      "steps:\n"
                      "  - {name: items, read_parquet: items}\n"
                      "  - {name: m, sql: \"SELECT item, item * 2 AS twice FROM {0}\", "
                      "inputs: [items]}\n"
                      "  - {name: save, write_parquet: {input: m, path: small/out, type: copy}}\n");
  CliRun r = cli("run " + (dir / "copy.yaml") + " --quiet");
  testing::run_command("umount " + (dir / "small"), nullptr);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "No space left on device")) << r.output;
  EXPECT_FALSE(contains(r.output, "Input/output error")) << r.output;
}

// The sandbox of `smallpond run`: a step reads its inputs and writes its output, nothing else.
TEST(Sandbox, AStepCannotReadWriteOrAttachOtherFiles) {
  testing::TempDir dir;
  testing::write_items(dir / "items", 1000, 2);
  testing::write_text(dir / "secret.csv", "a\n1\n");
  testing::write_items(dir / "other", 10, 1);
  auto step = [&](const std::string& sql, const std::string& flags = "") {
    testing::write_text(dir / "p.yaml",
                        "steps:\n"
                        "  - {name: items, read_parquet: items}\n"
                        "  - {name: parts, repartition: {input: items, npartitions: 2}}\n"
                        "  - name: s\n"
                        "    sql: \"" +
                            sql +
                            "\"\n"
                            "    inputs: [parts]\n");
    return cli("run " + (dir / "p.yaml") + " --quiet --max-retry 0 " + flags);
  };
  std::string secret = dir / "secret.csv";
  std::string planted = dir / "planted.csv";
  struct Case {
    std::string sql, message;
  };
  std::vector<Case> refused = {
      {"SELECT * FROM read_csv('" + secret + "')", "Permission Error"},
      {"SELECT * FROM read_parquet('" + (dir / "other/item-00000.parquet") + "')",
       "Permission Error"},
      {"COPY (SELECT 1) TO '" + planted + "'; SELECT * FROM {0}", "COPY statement is not allowed"},
      {"ATTACH '" + (dir / "db.duckdb") + "' AS x; SELECT * FROM {0}",
       "ATTACH statement is not allowed"},
      {"SET enable_external_access = true; SELECT * FROM {0}", "locked"},
  };
  for (auto& c : refused) {
    SCOPED_TRACE(c.sql);
    CliRun r = step(c.sql);
    EXPECT_EQ(r.status, 1) << r.output;
    EXPECT_TRUE(contains(r.output, c.message)) << r.output;
    EXPECT_TRUE(contains(r.output, "not retried")) << r.output;
  }
  // A partition expression is one expression: nothing can follow it into the COPY.
  testing::write_text(dir / "by.yaml",
                      "steps:\n"
                      "  - {name: items, read_parquet: items}\n"
                      "  - name: parts\n"
                      "    repartition:\n"
                      "      input: items\n"
                      "      npartitions: 2\n"
                      "      by: \"1) THEN 1 END AS b FROM range(1)) TO '" +
                          planted +
                          "' (FORMAT csv); SELECT (1\"\n"
                          "  - {name: s, sql: \"SELECT count(*) FROM {0}\", inputs: [parts]}\n");
  CliRun injected = cli("run " + (dir / "by.yaml") + " --quiet");
  EXPECT_EQ(injected.status, 1) << injected.output;
  EXPECT_TRUE(contains(injected.output, "is not one SQL expression")) << injected.output;
  EXPECT_FALSE(path_exists(planted));
  EXPECT_FALSE(path_exists(dir / "db.duckdb"));
  // Its own inputs, its own temporary tables and several statements are fine, and the
  // sandbox can be lifted.
  EXPECT_EQ(step("CREATE TEMP TABLE t AS SELECT * FROM {0}; SELECT count(*) FROM t").status, 0);
  CliRun lifted = step("SELECT * FROM read_csv('" + secret + "')", "--no-sandbox");
  EXPECT_EQ(lifted.status, 0) << lifted.output;
}

}  // namespace
}  // namespace smallpond

namespace smallpond {
namespace {

// With in-memory passing, an output that would be recomputed if its executor died must not
// come from a query that gives another result the second time: those outputs are files.
TEST(NonDeterministicSteps, KeepTheirOutputsInFiles) {
  testing::TempDir dir;
  testing::write_items(dir / "items", 1000, 2);
  testing::write_text(dir / "p.yaml",
                      "steps:\n"
                      "  - {name: items, read_parquet: items}\n"
                      "  - {name: parts, repartition: {input: items, npartitions: 2}}\n"
                      "  - {name: fixed, sql: \"SELECT item, item % 3 AS k FROM {0}\", inputs: "
                      "[parts]}\n"
                      "  - {name: drawn, sql: \"SELECT item, random() AS r FROM {0}\", inputs: "
                      "[parts]}\n"
                      "  - {name: sampled, sql: \"SELECT * FROM {0} USING SAMPLE 50%\", inputs: "
                      "[parts]}\n"
                      "  - name: joined\n"
                      "    sql: \"SELECT count(*) AS n FROM {0} JOIN {1} USING (item) JOIN {2} "
                      "USING (item)\"\n"
                      "    inputs: [fixed, drawn, sampled]\n"
                      "  - {name: save, write_parquet: {input: joined, path: out}}\n");
  CliRun r = cli("run " + (dir / "p.yaml") + " --quiet --memory-passing 10000000");
  ASSERT_EQ(r.status, 0) << r.output;
  Table outputs = duckdb_query(
      "SELECT step, output, count(*)::BIGINT FROM read_csv('" + (dir / ".smallpond/p/log/*.csv") +
      "') WHERE status = 'executed' AND step IN ('fixed', 'drawn', 'sampled') GROUP BY ALL "
      "ORDER BY step");
  ASSERT_EQ(outputs.num_rows(), 3u) << outputs.to_string();
  EXPECT_EQ(outputs.rows[0][0].as_string() + "=" + outputs.rows[0][1].as_string(), "drawn=file");
  EXPECT_EQ(outputs.rows[1][0].as_string() + "=" + outputs.rows[1][1].as_string(), "fixed=memory");
  EXPECT_EQ(outputs.rows[2][0].as_string() + "=" + outputs.rows[2][1].as_string(), "sampled=file");
}

}  // namespace
}  // namespace smallpond
