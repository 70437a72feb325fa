// The assignment builder on its own: input shaping, job-directory paths, limits.
#include "exec/assignment_builder.h"

#include <gtest/gtest.h>

#include "io/filesystem.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

DataSet files(std::vector<std::string> paths) { return DataSet::parquet_files(paths, paths[0]); }

Task task(TaskKind kind, Json params = Json::object()) {
  Task t;
  t.id = 4;
  t.kind = kind;
  t.step = "stats";
  t.partition = 2;
  t.key = "k123";
  t.deps = {0, 1};
  t.params = std::move(params);
  return t;
}

struct Fixture {
  testing::TempDir dir;
  SchedulerOptions options;
  std::unique_ptr<JobDir> job;
  std::vector<DataSet> inputs = {files({"/a/0.parquet"}), files({"/b/0.parquet", "/b/1.parquet"})};
  Fixture() {
    options.job = 7;
    options.limits.memory_limit = 1000;
    options.memory_output_bytes = 64;
    JobDir::prepare(dir / "job");
    make_dirs(dir / "job/data/renamed.sql-2-k123");  // an earlier output of the same key
    job = std::make_unique<JobDir>(dir / "job");
  }
  TaskAssignment build(const Task& t, int attempt = 1, int memory_factor = 1, bool keep = true) {
    return AssignmentBuilder(*job, options).build(t, attempt, inputs, memory_factor, keep);
  }
};

TEST(AssignmentBuilder, SqlReadsItsInputsApartUnlessItGathersThem) {
  Fixture f;
  EXPECT_EQ(f.build(task(TaskKind::Sql)).inputs.size(), 2u);
  TaskAssignment gathered = f.build(task(TaskKind::Sql, {{"concat", true}}));
  ASSERT_EQ(gathered.inputs.size(), 1u);
  EXPECT_EQ(gathered.inputs[0].files.size(), 3u);
  EXPECT_EQ(f.build(task(TaskKind::Function)).inputs.size(), 1u);
  EXPECT_EQ(f.build(task(TaskKind::Function, {{"separate_inputs", true}})).inputs.size(), 2u);
}

TEST(AssignmentBuilder, PathsComeFromTheJobDirectoryByKey) {
  Fixture f;
  TaskAssignment first = f.build(task(TaskKind::Sql), 1);
  TaskAssignment second = f.build(task(TaskKind::Sql), 2);
  EXPECT_EQ(first.final_dir, f.job->root() + "/data/renamed.sql-2-k123");
  EXPECT_EQ(first.staging_dir.rfind(f.job->root() + "/staging/sql-2-k123.1.", 0), 0u)
      << first.staging_dir;
  EXPECT_NE(first.staging_dir, second.staging_dir);
  EXPECT_TRUE(first.checkpoint_dir.empty());
  TaskAssignment stream = f.build(task(TaskKind::Function, {{"function_kind", "stream"}}));
  EXPECT_EQ(stream.checkpoint_dir, f.job->checkpoint_dir("function-2", "k123"));
  EXPECT_EQ(first.limits.temp_directory, f.job->tmp_dir());
  EXPECT_EQ(first.job, 7);
  EXPECT_EQ(first.label, "stats[2]");
}

TEST(AssignmentBuilder, MemoryLimitAndInMemoryThreshold) {
  Fixture f;
  EXPECT_EQ(f.build(task(TaskKind::Sql), 1, 4).limits.memory_limit, 4000);
  EXPECT_EQ(f.build(task(TaskKind::Sql)).memory_output_bytes, 64);
  EXPECT_EQ(f.build(task(TaskKind::Sql), 1, 1, /*keep=*/false).memory_output_bytes, 0);
  EXPECT_EQ(f.build(task(TaskKind::HashProduce)).memory_output_bytes, 0);
  // What no sink publishes and the program does not read is intermediate (uncompressed).
  EXPECT_TRUE(f.build(task(TaskKind::HashProduce)).intermediate);
  EXPECT_FALSE(f.build(task(TaskKind::Sql), 1, 1, /*keep=*/false).intermediate);
}

TEST(AssignmentBuilder, OutputsAreFlushedOnlyWhenAsked) {
  Fixture f;
  EXPECT_FALSE(f.build(task(TaskKind::Sql)).flush_output);
  f.options.flush_task_outputs = true;
  EXPECT_TRUE(f.build(task(TaskKind::Sql)).flush_output);
  EXPECT_TRUE(f.build(task(TaskKind::HashProduce)).flush_output);
}

}  // namespace
}  // namespace smallpond
