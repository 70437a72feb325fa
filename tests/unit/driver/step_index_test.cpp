// The step index of a job directory: every step of every job of a session, by name.
#include "driver/step_index.h"

#include <gtest/gtest.h>

#include "dataset/dataset.h"
#include "smallpond/error.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

TaskOutputs one(DataSet ds) { return TaskOutputs({std::move(ds)}); }

// Task t's output is the file t.parquet; each step names its tasks.
struct Job {
  TaskGraph graph;
  std::vector<TaskOutputs> outputs;
  void add(const std::string& step, int tasks, const std::string& tag) {
    for (int i = 0; i < tasks; i++) {
      graph.step_outputs[step].push_back(static_cast<int>(outputs.size()));
      outputs.push_back(one(DataSet::parquet_files(
          {tag + "-" + step + std::to_string(i) + ".parquet"}, tag + "-schema.parquet")));
    }
  }
};

std::vector<std::string> paths(const std::vector<DataSet>& parts) {
  std::vector<std::string> out;
  for (auto& p : parts)
    for (auto& f : p.files) out.push_back(f.path);
  return out;
}

TEST(StepIndex, KeepsTheStepsOfEveryJobAndTheLatestOutputsOfEach) {
  testing::TempDir dir;
  StepIndex index;
  Job first;
  first.add("a", 2, "j1");
  first.add("b", 1, "j1");
  write_step_index(dir.path(), first.graph, first.outputs, index);
  Job second;  // a later job of the session: a new step, and b again with other outputs
  second.add("b", 3, "j2");
  second.add("c", 1, "j2");
  write_step_index(dir.path(), second.graph, second.outputs, index);

  StepIndex read = read_step_index(dir.path());
  ASSERT_EQ(read.steps.size(), 3u);
  EXPECT_EQ(paths(read.steps.at("a")),
            (std::vector<std::string>{"j1-a0.parquet", "j1-a1.parquet"}));
  EXPECT_EQ(paths(read.steps.at("b")),
            (std::vector<std::string>{"j2-b0.parquet", "j2-b1.parquet", "j2-b2.parquet"}));
  EXPECT_EQ(paths(read.steps.at("c")), (std::vector<std::string>{"j2-c0.parquet"}));
  EXPECT_EQ(read.steps.at("c")[0].schema_file, "j2-schema.parquet");

  Job third;  // b kept in memory this time: no longer named
  third.add("b", 1, "j3");
  third.outputs[0] = one(DataSet::in_memory_table("t"));
  write_step_index(dir.path(), third.graph, third.outputs, index);
  read = read_step_index(dir.path());
  EXPECT_EQ(read.steps.count("b"), 0u);
  EXPECT_EQ(read.steps.size(), 2u);
}

// A step of very many files is not kept in memory between jobs; later jobs copy its entry from
// the file, and the index stays whole and in name order.
TEST(StepIndex, LargeStepsAreCopiedFromTheFileByLaterJobs) {
  testing::TempDir dir;
  StepIndex index;
  Job first;
  first.add("a", 1, "j1");
  std::vector<std::string> many;
  for (int i = 0; i < 100000; i++)
    many.push_back("/data/a-long-directory-name-of-a-large-dataset/part-" + std::to_string(i) +
                   ".parquet");
  first.graph.step_outputs["big"].push_back(static_cast<int>(first.outputs.size()));
  first.outputs.push_back(one(DataSet::parquet_files(many, "")));
  first.add("c", 1, "j1");
  write_step_index(dir.path(), first.graph, first.outputs, index);
  EXPECT_TRUE(index.entries.at("big").empty()) << "a 7 MB entry is not kept";
  EXPECT_FALSE(index.entries.at("a").empty());

  Job second;  // a later job: big is copied from the file written above
  second.add("b", 2, "j2");
  write_step_index(dir.path(), second.graph, second.outputs, index);
  StepIndex read = read_step_index(dir.path());
  ASSERT_EQ(read.steps.size(), 4u);
  EXPECT_TRUE(paths(read.steps.at("big")) == many);
  EXPECT_EQ(paths(read.steps.at("a")), (std::vector<std::string>{"j1-a0.parquet"}));
  EXPECT_EQ(paths(read.steps.at("b")),
            (std::vector<std::string>{"j2-b0.parquet", "j2-b1.parquet"}));
  EXPECT_EQ(paths(read.steps.at("c")), (std::vector<std::string>{"j1-c0.parquet"}));

  Job third;  // big again, now small: kept, and the file holds the new one
  third.add("big", 1, "j3");
  write_step_index(dir.path(), third.graph, third.outputs, index);
  EXPECT_FALSE(index.entries.at("big").empty());
  read = read_step_index(dir.path());
  EXPECT_EQ(paths(read.steps.at("big")), (std::vector<std::string>{"j3-big0.parquet"}));
  EXPECT_EQ(read.steps.size(), 4u);
}

TEST(StepIndex, MissingIndexIsNamed) {
  testing::TempDir dir;
  try {
    read_step_index(dir.path());
    FAIL() << "no error";
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("has no finished run"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace smallpond
