#include "exec/metadata_tasks.h"

#include <gtest/gtest.h>

#include "plan/task_params.h"

namespace smallpond {
namespace {

DataSet files(int first, int count) {
  DataSet ds;
  for (int i = first; i < first + count; i++) ds.files.push_back({"/f" + std::to_string(i)});
  return ds;
}

Task pick(int index, Json project = nullptr) {
  Task t;
  t.kind = TaskKind::Pick;
  t.step = "parts";
  PickParams params;
  params.index = index;
  params.project = std::move(project);
  t.params = params.to_json();
  return t;
}

TaskOutputs run(const Task& task, const std::vector<const TaskOutputs*>& deps) {
  return run_metadata_task(task, deps, [](const DataSet&) -> std::vector<int64_t> {
    throw std::logic_error("no row counts here");
  });
}

// A pick of one part of one split is that part itself: the split's storage, shared. The file
// list of a repartition of a million files is then held by the source and the split, not by
// every pick once more.
TEST(MetadataTasks, APickOfOneInputSharesItsPart) {
  TaskOutputs split({files(0, 3), files(3, 2), files(5, 0)});
  for (int i = 0; i < 3; i++) {
    TaskOutputs out = run(pick(i), {&split});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(out.shares_storage_with(split));
    EXPECT_EQ(&out[0], &split[i]);
  }
  EXPECT_THROW(run(pick(3), {&split}), std::out_of_range);
}

// Of several inputs, the parts are concatenated in input order (a new data set).
TEST(MetadataTasks, APickOfSeveralInputsConcatenatesTheirParts) {
  TaskOutputs a({files(0, 2), files(2, 1)});
  TaskOutputs b({files(10, 1), files(11, 3)});
  TaskOutputs out = run(pick(1), {&a, &b});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out.shares_storage_with(a));
  EXPECT_EQ(out[0].files, (std::vector<FileSlice>{{"/f2"}, {"/f11"}, {"/f12"}, {"/f13"}}));
}

// A pick that reads its part differently (a projection) is a data set of its own; the part it
// came from is unchanged.
TEST(MetadataTasks, APickWithAProjectionDoesNotChangeThePartItReads) {
  TaskOutputs split({files(0, 2)});
  TaskOutputs out = run(pick(0, Json{{"columns", {"a"}}}), {&split});
  EXPECT_FALSE(out.shares_storage_with(split));
  EXPECT_EQ(out[0].columns, std::vector<std::string>{"a"});
  EXPECT_TRUE(split[0].columns.empty());
  EXPECT_EQ(out[0].files, split[0].files);
}

// A view of one data set reads as a list of one; a default one is "not known".
TEST(MetadataTasks, TaskOutputsViewsAreBoundsChecked) {
  TaskOutputs none;
  EXPECT_FALSE(none.known());
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.begin(), none.end());
  EXPECT_THROW(none.front(), std::out_of_range);
  TaskOutputs all({files(0, 1), files(1, 1)});
  TaskOutputs second = all.one(1);
  EXPECT_TRUE(second.known());
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second.front().files[0].path, "/f1");
  EXPECT_THROW(second.at(1), std::out_of_range);
  EXPECT_THROW(all.one(2), std::out_of_range);
  int seen = 0;
  for (auto& ds : second) seen += static_cast<int>(ds.files.size());
  EXPECT_EQ(seen, 1);
}

}  // namespace
}  // namespace smallpond
