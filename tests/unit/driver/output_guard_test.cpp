// The output guard refuses, before anything runs, outputs whose publish would destroy data.
#include "driver/output_guard.h"

#include <gtest/gtest.h>

#include "dataset/dataset.h"
#include "io/filesystem.h"
#include "plan/task_params.h"
#include "smallpond/error.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

class OutputGuard : public ::testing::Test {
 protected:
  void SetUp() override {
    make_dirs(dir / "project/data");
    testing::write_text(dir / "project/data/in.parquet", "input");
    testing::write_text(dir / "project/pipeline.yaml", "steps: []");
    Task source;
    source.kind = TaskKind::Source;
    source.step = "src";
    DataSet ds;
    ds.files = {{dir / "project/data/in.parquet", 0, -1}};
    source.params = Json::object();
    source.source_data = TaskOutputs({ds});
    graph.tasks.push_back(source);
    context.job_dir = dir / "project/.smallpond/job";
    context.protected_dirs = {dir / "project"};
  }
  // The message of the refusal of a sink to path, or "" when accepted.
  std::string check(const std::string& path, bool overwrite = false) {
    graph.sinks = {{"save", path, "link_or_copy", {0}, overwrite}};
    try {
      check_output_paths(graph, context);
      return "";
    } catch (const InvalidInputError& e) {
      return e.what();
    }
  }
  testing::TempDir dir;
  TaskGraph graph;
  OutputGuardContext context;
};

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(OutputGuard, RefusesPathsThatHoldWhatTheJobNeeds) {
  EXPECT_TRUE(has(check(dir / "project"), "it is the pipeline's directory"));
  EXPECT_TRUE(has(check(dir.path()), "it holds the pipeline's directory"));
  EXPECT_TRUE(has(check(dir / "project/data"), "an input of step 'src'"));
  EXPECT_TRUE(has(check(dir / "project/.smallpond/job"), "it is the job directory"));
  EXPECT_TRUE(has(check(dir / "project/.smallpond"), "it holds the job directory"));
  EXPECT_TRUE(has(check(dir / "project/.smallpond/job/data"), "inside the job directory"));
  EXPECT_TRUE(has(check("/"), "root directory"));
  // overwrite does not lift these
  EXPECT_TRUE(has(check(dir / "project/data", true), "an input of step 'src'"));
  // a symbolic link to the input directory is the input directory
  ASSERT_EQ(testing::run_command("ln -s " + (dir / "project/data") + " " + (dir / "link"), nullptr),
            0);
  EXPECT_TRUE(has(check(dir / "link/"), "an input of step 'src'"));
  // the input file itself, and a link to it
  EXPECT_TRUE(has(check(dir / "project/data/in.parquet", true), "an input of step 'src'"));
  ASSERT_EQ(testing::run_command(
                "ln -s " + (dir / "project/data/in.parquet") + " " + (dir / "in-link"), nullptr),
            0);
  EXPECT_TRUE(has(check(dir / "in-link", true), "an input of step 'src'"));
  // and nothing was touched
  EXPECT_EQ(read_file(dir / "project/data/in.parquet"), "input");
}

// An input file that is itself a link is where it points: replacing that directory would
// destroy the data the link reads.
TEST_F(OutputGuard, AnInputThatIsALinkIsWhereItPoints) {
  make_dirs(dir / "elsewhere");
  testing::write_text(dir / "elsewhere/real.parquet", "real");
  ASSERT_EQ(testing::run_command("ln -s " + (dir / "elsewhere/real.parquet") + " " +
                                     (dir / "project/data/linked.parquet"),
                                 nullptr),
            0);
  Task linked;
  linked.kind = TaskKind::Source;
  linked.step = "linked";
  linked.params = Json::object();
  DataSet ds;
  ds.files = {{dir / "project/data/linked.parquet", 0, -1}};
  linked.source_data = TaskOutputs({ds});
  graph.tasks = {linked};
  std::string refusal = check(dir / "elsewhere", true);
  EXPECT_TRUE(has(refusal, "an input of step 'linked'")) << refusal;
  EXPECT_TRUE(has(refusal, "real.parquet")) << refusal;
  EXPECT_EQ(check(dir / "other", true), "");
}

// Data read back as partitions (read_partitioned: one data set per partition) is an input too.
TEST_F(OutputGuard, RefusesTheDirectoryOfPartitionedInput) {
  make_dirs(dir / "saved/k=1");
  testing::write_text(dir / "saved/k=1/part-0.parquet", "saved");
  Task loaded;
  loaded.kind = TaskKind::Source;
  loaded.step = "loaded";
  SourceParams params;
  params.partitioned = true;
  loaded.params = params.to_json();
  std::vector<DataSet> partitions(2);
  partitions[1].files = {{dir / "saved/k=1/part-0.parquet", 0, -1}};
  loaded.source_data = TaskOutputs(std::move(partitions));
  graph.tasks.push_back(loaded);
  EXPECT_TRUE(has(check(dir / "saved"), "an input of step 'loaded'"));
  EXPECT_EQ(read_file(dir / "saved/k=1/part-0.parquet"), "saved");
}

TEST_F(OutputGuard, ExistingPathsNeedOverwriteUnlessSmallpondWroteThem) {
  EXPECT_EQ(check(dir / "project/out"), "");  // new
  make_dirs(dir / "project/empty");
  EXPECT_EQ(check(dir / "project/empty"), "");
  make_dirs(dir / "project/previous");
  testing::write_text(dir / "project/previous/.MANIFEST.txt",
                      dir / "project/previous/part-00000-000.parquet\n");
  testing::write_text(dir / "project/previous/part-00000-000.parquet", "");
  EXPECT_EQ(check(dir / "project/previous"), "");
  testing::write_text(dir / "project/previous/notes.txt", "added by the user");
  EXPECT_TRUE(has(check(dir / "project/previous"), "files added since (e.g. 'notes.txt')"));
  make_dirs(dir / "project/mine");
  testing::write_text(dir / "project/mine/notes.txt", "");
  EXPECT_TRUE(has(check(dir / "project/mine"), "not a smallpond output (e.g. 'notes.txt'"));
  EXPECT_EQ(check(dir / "project/mine", true), "");
  testing::write_text(dir / "project/file", "");
  EXPECT_TRUE(has(check(dir / "project/file"), "it is a file"));
  context.overwrite = true;
  EXPECT_EQ(check(dir / "project/file"), "");
}

// A manifest output lists files elsewhere (in a job directory): a file of the same name put
// into the output is the user's, not one of them.
TEST_F(OutputGuard, AManifestListsOnlyTheFilesItNamesInTheOutput) {
  make_dirs(dir / "project/listed");
  testing::write_text(dir / "project/listed/.MANIFEST.txt",
                      dir / "jobs/data/sums.sql-0-key/part-0.parquet\n" +
                          dir / "project/listed/part-00001-000.parquet\n");
  testing::write_text(dir / "project/listed/part-00001-000.parquet", "");
  EXPECT_EQ(check(dir / "project/listed"), "");
  testing::write_text(dir / "project/listed/part-0.parquet", "the user's");
  EXPECT_TRUE(has(check(dir / "project/listed"), "files added since (e.g. 'part-0.parquet')"));
}

TEST_F(OutputGuard, RefusesTwoSinksOnOnePath) {
  graph.sinks = {{"a", dir / "project/out", "copy", {0}, false},
                 {"b", dir / "project/out/", "copy", {0}, false}};
  EXPECT_THROW(check_output_paths(graph, context), InvalidInputError);
  graph.sinks[1].path = dir / "project/out/inner";
  EXPECT_THROW(check_output_paths(graph, context), InvalidInputError);
  graph.sinks[1].path = dir / "project/other";
  EXPECT_NO_THROW(check_output_paths(graph, context));
}

}  // namespace
}  // namespace smallpond
