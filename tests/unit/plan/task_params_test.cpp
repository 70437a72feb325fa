#include "plan/task_params.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "smallpond/error.h"

namespace smallpond {
namespace {

// The wire form holds what differs from the defaults and reads back to the same values.
TEST(TaskParams, TheWireFormHoldsWhatDiffersAndReadsBack) {
  SqlParams sql;
  sql.sql = "SELECT * FROM {0}";
  sql.concat = true;
  EXPECT_EQ(sql.to_json(), (Json{{"sql", "SELECT * FROM {0}"}, {"concat", true}}));
  SqlParams back = SqlParams::from_json(sql.to_json());
  EXPECT_EQ(back.sql, sql.sql);
  EXPECT_TRUE(back.concat);
  EXPECT_EQ(back.udfs, Json::array());

  HashProduceParams hash;
  hash.columns = {"a", "b"};
  hash.n = 8;
  auto hash_back = HashProduceParams::from_json(hash.to_json());
  EXPECT_EQ(hash_back.columns, hash.columns);
  EXPECT_EQ(hash_back.n, 8);
  EXPECT_EQ(hash_back.by, "");

  SourceParams source;
  source.partitions.resize(2);
  source.partitions[1].files.push_back({"/data/a.parquet", 0, -1, "fp"});
  auto source_back = SourceParams::from_json(source.to_json());
  ASSERT_EQ(source_back.partitions.size(), 2u);
  EXPECT_EQ(source_back.partitions[1].files, source.partitions[1].files);
  EXPECT_TRUE(source_back.dataset.files.empty());
}

// A field the struct does not know is a wire error, not a value silently dropped.
TEST(TaskParams, AnUnknownFieldIsAnError) {
  EXPECT_THROW(SqlParams::from_json({{"sql", "x"}, {"concatenate", true}}), InternalError);
  EXPECT_THROW(PickParams::from_json({{"idx", 1}}), InternalError);
}

TEST(TaskParams, AStreamTaskIsAFunctionTaskOfKindStream) {
  Task task;
  task.kind = TaskKind::Function;
  FunctionParams params;
  params.function_kind = "stream";
  task.params = params.to_json();
  EXPECT_TRUE(is_stream(task));
  params.function_kind = "map";
  task.params = params.to_json();
  EXPECT_FALSE(is_stream(task));
  task.kind = TaskKind::Sql;
  task.params = SqlParams().to_json();
  EXPECT_FALSE(is_stream(task));
}

// The kinds come from one list: each has a wire name that reads back, a side (scheduler or
// executor) and a parameter struct that names it.
TEST(TaskKinds, EachKindIsListedOnceWithItsNameSideAndParameters) {
  std::vector<std::string> names;
#define CHECK_KIND(kind, name, Params)                                        \
  EXPECT_EQ(task_kind_from_name(name), TaskKind::kind);                       \
  EXPECT_STREQ(task_kind_name(TaskKind::kind), name);                         \
  EXPECT_EQ(task_kind_of<Params>(), TaskKind::kind);                          \
  EXPECT_EQ(Params::from_json(Params().to_json()).to_json(), Json::object()); \
  names.push_back(name);
  SMALLPOND_TASK_KINDS(CHECK_KIND)
#undef CHECK_KIND
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end()) << "a wire name twice";
#define ON_EXECUTOR(kind, name, Params) EXPECT_TRUE(runs_on_executor(TaskKind::kind)) << name;
  SMALLPOND_EXECUTOR_TASK_KINDS(ON_EXECUTOR)
#undef ON_EXECUTOR
#define IN_SCHEDULER(kind, name, Params) EXPECT_FALSE(runs_on_executor(TaskKind::kind)) << name;
  SMALLPOND_SCHEDULER_TASK_KINDS(IN_SCHEDULER)
#undef IN_SCHEDULER
  EXPECT_THROW(task_kind_from_name("sqlx"), InternalError);
}

}  // namespace
}  // namespace smallpond
