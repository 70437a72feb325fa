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
  source.partitioned = true;
  EXPECT_EQ(source.to_json(), (Json{{"partitioned", true}}));
  EXPECT_TRUE(SourceParams::from_json(source.to_json()).partitioned);
  EXPECT_EQ(SourceParams().to_json(), Json::object());
}

std::string source_identity(const Task& task) {
  std::string text;
  write_source_identity(task, [&](std::string_view piece) { text += piece; });
  return text;
}

// A source's data sets left its parameters for Task::source_data; its identity is still the
// text of the former parameters ({"dataset": ...} or {"partitions": [...]}), so task keys (and
// the job directories found by them) stay those of earlier versions.
TEST(TaskParams, ASourceIsIdentifiedByItsFormerParameters) {
  DataSet csv;
  csv.format = FileFormat::Csv;
  csv.delimiter = "|";
  csv.files = {{"/data/a b.csv", 0, -1, "12:00000000000000ab"},
               {"/data/\u00e9t\u00e9.csv", 0, -1, "3:00000000000000cd@1700000000123456789"}};
  DataSet part = DataSet::parquet_files({"/data/k=1/x.parquet"}, "/data/k=1/x.parquet");

  Task plain;
  plain.kind = TaskKind::Source;
  plain.source_data = TaskOutputs({csv});
  EXPECT_EQ(source_identity(plain), (Json{{"dataset", csv.to_json()}}).dump());

  Task partitioned = plain;
  SourceParams params;
  params.partitioned = true;
  partitioned.params = params.to_json();
  partitioned.source_data = TaskOutputs({DataSet(), part, csv});
  Json former = {{"partitions", Json::array({DataSet().to_json(), part.to_json(), csv.to_json()})}};
  EXPECT_EQ(source_identity(partitioned), former.dump());

  // What the former parameters left out as defaults: no partitions, an empty data set.
  partitioned.source_data = TaskOutputs(std::vector<DataSet>{});
  EXPECT_EQ(source_identity(partitioned), "{}");
  plain.source_data = TaskOutputs({DataSet()});
  EXPECT_EQ(source_identity(plain), "{}");
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
