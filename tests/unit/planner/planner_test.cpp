#include "planner/planner.h"

#include <gtest/gtest.h>

#include "common/stable_hash.h"
#include "io/filesystem.h"
#include "smallpond/error.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

NodePtr source(const std::string& pattern, const std::string& name = "src") {
  auto n = std::make_shared<Node>();
  n->kind = NodeKind::DataSource;
  n->name = name;
  n->patterns = {pattern};
  return n;
}

NodePtr op(NodeKind kind, const std::string& name, std::vector<NodePtr> inputs, int npartitions = 1,
           std::vector<std::string> hash = {}, const std::string& sql = "") {
  auto n = std::make_shared<Node>();
  n->kind = kind;
  n->name = name;
  n->inputs = std::move(inputs);
  n->npartitions = npartitions;
  n->hash_columns = std::move(hash);
  n->sql = sql;
  return n;
}

int count(const TaskGraph& g, TaskKind kind, const std::string& step = "") {
  int n = 0;
  for (auto& t : g.tasks) n += t.kind == kind && (step.empty() || t.step == step);
  return n;
}

std::string prices() { return testing::small_prices_dir() + "/*.parquet"; }

TEST(Planner, HashPartitionIsProducersThenConsumers) {
  auto hash = op(NodeKind::HashPartition, "h", {source(prices())}, 5, {"ticker"});
  auto sql = op(NodeKind::SqlEngine, "q", {hash}, 1, {}, "SELECT * FROM {0}");
  PlanOptions options;
  options.shuffle_producers = 4;
  TaskGraph g = plan_tasks({sql}, options);
  EXPECT_EQ(count(g, TaskKind::HashProduce), 4);
  EXPECT_EQ(count(g, TaskKind::Pick, "h"), 4 + 5);  // 4 producer inputs, 5 consumers
  EXPECT_EQ(count(g, TaskKind::Sql), 5);
  EXPECT_EQ(g.outputs.size(), 5u);
  for (auto& t : g.tasks) {
    for (int d : t.deps) EXPECT_LT(d, t.id) << "deps must come first";
    if (t.kind == TaskKind::Pick && t.step == "h" && t.deps.size() > 1) {
      EXPECT_EQ(t.deps.size(), 4u);
    }
  }
}

TEST(Planner, FunctionStepsProjectionsAndUserPartitions) {
  auto a = op(NodeKind::EvenPartition, "a", {source(prices())}, 3);
  // A C++ partition function: one Function producer per group of inputs, then the picks.
  auto part = op(NodeKind::HashPartition, "p", {a}, 4);
  std::const_pointer_cast<Node>(part)->function = Json{{"module", "m"}, {"offset", 1}};
  // A projection of names only reads differently (metadata); expressions need a query.
  auto names = op(NodeKind::Projection, "names", {a});
  std::const_pointer_cast<Node>(names)->columns = {"ticker", "price"};
  auto exprs = op(NodeKind::Projection, "exprs", {a});
  std::const_pointer_cast<Node>(exprs)->columns = {"price * 2 AS p2"};
  // Table functions and scripts take aligned inputs, each on its own.
  auto table = op(NodeKind::Compute, "t", {names, exprs});
  std::const_pointer_cast<Node>(table)->function_kind = "table";
  PlanOptions options;
  options.shuffle_producers = 2;
  TaskGraph g = plan_tasks({part, table}, options);
  EXPECT_EQ(count(g, TaskKind::HashProduce), 0);
  EXPECT_EQ(count(g, TaskKind::Function, "p"), 2);
  EXPECT_EQ(count(g, TaskKind::Pick, "names"), 3);
  EXPECT_EQ(count(g, TaskKind::Sql, "names"), 0);
  EXPECT_EQ(count(g, TaskKind::Sql, "exprs"), 3);
  EXPECT_EQ(count(g, TaskKind::Function, "t"), 3);
  for (auto& t : g.tasks) {
    if (t.step == "p" && t.kind == TaskKind::Function) {
      EXPECT_EQ(t.params.at("function_kind"), "partition");
    }
    if (t.step == "t") {
      EXPECT_EQ(t.deps.size(), 2u);
      EXPECT_TRUE(t.params.at("separate_inputs").get<bool>());
    }
  }
}

TEST(Planner, SqlAlignsPartitionsAndBroadcastsSingleOnes) {
  auto a = op(NodeKind::EvenPartition, "a", {source(prices())}, 3);
  auto b = source(prices(), "b");
  auto join =
      op(NodeKind::SqlEngine, "j", {a, b}, 1, {}, "SELECT * FROM {0} JOIN {1} USING (ticker)");
  TaskGraph g = plan_tasks({join}, {});
  ASSERT_EQ(g.outputs.size(), 3u);
  int b_task = -1;
  for (auto& t : g.tasks)
    if (t.step == "b") b_task = t.id;
  for (int o : g.outputs) EXPECT_EQ(g.tasks[o].deps[1], b_task);

  auto c = op(NodeKind::EvenPartition, "c", {source(prices(), "s2")}, 2);
  auto bad = op(NodeKind::SqlEngine, "bad", {a, c}, 1, {}, "SELECT * FROM {0}, {1}");
  try {
    plan_tasks({bad}, {});
    FAIL();
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("step 'bad'"), std::string::npos) << e.what();
  }
}

TEST(Planner, ZeroInputSqlIsOneTaskAndPlaceholdersAreChecked) {
  TaskGraph g = plan_tasks({op(NodeKind::SqlEngine, "q", {}, 1, {}, "SELECT 42")}, {});
  EXPECT_EQ(g.outputs.size(), 1u);
  EXPECT_THROW(plan_tasks({op(NodeKind::SqlEngine, "q", {}, 1, {}, "SELECT * FROM {0}")}, {}),
               InvalidInputError);
}

TEST(Planner, MissingInputNamesStepAndPattern) {
  try {
    plan_tasks({source("/nonexistent/dir/*.parquet", "prices")}, {});
    FAIL();
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("step 'prices'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/*.parquet"), std::string::npos);
  }
}

TEST(Planner, KeysChangeWithDefinitionAndPropagateDownstreamOnly) {
  testing::TempDir dir;
  std::string src_pattern = prices();
  auto build = [&](const std::string& sql1) {
    auto src = source(src_pattern);
    auto h = op(NodeKind::HashPartition, "h", {src}, 3, {"ticker"});
    auto s1 = op(NodeKind::SqlEngine, "s1", {h}, 1, {}, sql1);
    auto s2 = op(NodeKind::SqlEngine, "s2", {s1}, 1, {}, "SELECT count(*) FROM {0}");
    return plan_tasks({s2}, {});
  };
  TaskGraph a = build("SELECT * FROM {0}");
  TaskGraph same = build("SELECT * FROM {0}");
  TaskGraph changed = build("SELECT ticker FROM {0}");
  ASSERT_EQ(a.tasks.size(), changed.tasks.size());
  for (size_t i = 0; i < a.tasks.size(); i++) {
    EXPECT_EQ(a.tasks[i].key, same.tasks[i].key);
    bool downstream = a.tasks[i].step == "s1" || a.tasks[i].step == "s2";
    EXPECT_EQ(a.tasks[i].key != changed.tasks[i].key, downstream) << a.tasks[i].label();
  }
}

TEST(Planner, SourceKeysFollowTheFiles) {
  testing::TempDir dir;
  testing::write_text(dir / "a.csv", "1\n");
  auto plan = [&] {
    auto n = std::make_shared<Node>();
    n->kind = NodeKind::DataSource;
    n->name = "s";
    n->patterns = {dir / "*.csv"};
    n->source_options.format = FileFormat::Csv;
    return plan_tasks({n}, {}).tasks[0].key;
  };
  std::string before = plan();
  EXPECT_EQ(plan(), before);
  testing::write_text(dir / "a.csv", "1\n2\n");  // new size
  EXPECT_NE(plan(), before);
}

// A task's key is the hash of its identity: kind, the node's definition, partition,
// parameters and the inputs' keys, a line each. The recipe must not drift: job directories of
// earlier runs are found by these keys.
TEST(Planner, KeysHashTheTaskIdentity) {
  auto hash = op(NodeKind::HashPartition, "h", {source(prices())}, 3, {"ticker"});
  auto sql = op(NodeKind::SqlEngine, "q", {hash}, 1, {}, "SELECT * FROM {0}");
  std::map<std::string, NodePtr> nodes = {
      {"h", hash}, {"q", sql}, {hash->inputs[0]->name, hash->inputs[0]}};
  TaskGraph g = plan_tasks({sql}, {});
  ASSERT_GT(g.tasks.size(), 5u);
  for (auto& t : g.tasks) {
    // A source's parameters were its data set; they moved to source_data, the text did not.
    std::string params = t.kind == TaskKind::Source
                             ? Json{{"dataset", t.source_data.at(0).to_json()}}.dump()
                             : t.params.dump();
    std::string identity = std::string(task_kind_name(t.kind)) + "\n" +
                           nodes.at(t.step)->definition().dump() + "\n" +
                           std::to_string(t.partition) + "\n" + params + "\n";
    for (int d : t.deps) identity += g.tasks[d].key + ",";
    EXPECT_EQ(t.key, stable_hash(identity)) << t.label();
  }
}

TEST(Planner, TenThousandPartitionsPlanQuickly) {
  auto hash = op(NodeKind::HashPartition, "h", {source(prices())}, 10000, {"ticker"});
  auto sql = op(NodeKind::SqlEngine, "q", {hash}, 1, {}, "SELECT * FROM {0}");
  PlanOptions options;
  options.shuffle_producers = 20;
  TaskGraph g = plan_tasks({sql}, options);
  EXPECT_EQ(count(g, TaskKind::HashProduce), 20);
  EXPECT_EQ(count(g, TaskKind::Sql), 10000);
  EXPECT_EQ(g.outputs.size(), 10000u);
}

TEST(Planner, LimitAndUnion) {
  auto parts = op(NodeKind::EvenPartition, "p", {source(prices())}, 4);
  auto lim = std::make_shared<Node>();
  lim->kind = NodeKind::Limit;
  lim->name = "l";
  lim->limit = 5;
  lim->inputs = {parts};
  TaskGraph g = plan_tasks({lim}, {});
  ASSERT_EQ(g.outputs.size(), 1u);
  const Task& last = g.tasks[g.outputs[0]];
  EXPECT_EQ(last.deps.size(), 4u);
  EXPECT_TRUE(last.params.value("concat", false));
  auto u = op(NodeKind::Union, "u", {parts, source(prices(), "s2")});
  EXPECT_EQ(plan_tasks({u}, {}).outputs.size(), 5u);
}

TEST(Planner, NestedPartitionsCarryDimensions) {
  auto outer = op(NodeKind::HashPartition, "outer", {source(prices())}, 3, {"ticker"});
  std::const_pointer_cast<Node>(outer)->dimension = "a";
  auto inner = op(NodeKind::HashPartition, "inner", {outer}, 5, {"ticker"});
  std::const_pointer_cast<Node>(inner)->nested = true;
  std::const_pointer_cast<Node>(inner)->dimension = "b";
  auto sql = op(NodeKind::SqlEngine, "q", {inner, source(prices(), "s2")}, 1, {},
                "SELECT {a}, {b} FROM {0}");
  TaskGraph g = plan_tasks({sql}, {});
  ASSERT_EQ(g.outputs.size(), 15u);
  EXPECT_EQ(count(g, TaskKind::HashProduce, "inner"), 3);  // one producer per outer partition
  const Task& t = g.tasks[g.outputs[7]];
  ASSERT_EQ(t.dims.size(), 2u);
  EXPECT_EQ(t.dims[0].name, "a");
  EXPECT_EQ(t.dims[0].index, 1);
  EXPECT_EQ(t.dims[1].name, "b");
  EXPECT_EQ(t.dims[1].index, 2);
  EXPECT_EQ(t.params["names"]["a"], 1);
  EXPECT_EQ(t.params["names"]["b"], 2);

  auto merged = std::make_shared<Node>();
  merged->kind = NodeKind::Consolidate;
  merged->name = "merged";
  merged->dimension = "b";
  merged->inputs = {inner};
  TaskGraph m = plan_tasks({merged}, {});
  ASSERT_EQ(m.outputs.size(), 3u);
  EXPECT_EQ(m.tasks[m.outputs[2]].deps.size(), 5u);
  ASSERT_EQ(m.tasks[m.outputs[2]].dims.size(), 1u);
  EXPECT_EQ(m.tasks[m.outputs[2]].dims[0].index, 2);
  std::const_pointer_cast<Node>(merged)->dimension = "zz";
  EXPECT_THROW(plan_tasks({merged}, {}), InvalidInputError);
}

TEST(Planner, DuplicateStepNamesAreRejected) {
  auto a = source(prices(), "x");
  auto b = op(NodeKind::SqlEngine, "x", {a}, 1, {}, "SELECT * FROM {0}");
  EXPECT_THROW(plan_tasks({b}, {}), InvalidInputError);
}

}  // namespace
}  // namespace smallpond
