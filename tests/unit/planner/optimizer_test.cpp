#include "logical/optimizer.h"

#include <gtest/gtest.h>

#include "engine/sql_template.h"

namespace smallpond {
namespace {

NodePtr sql(const std::string& name, const std::string& query, std::vector<NodePtr> inputs) {
  auto n = std::make_shared<Node>();
  n->kind = NodeKind::SqlEngine;
  n->name = name;
  n->sql = query;
  n->inputs = std::move(inputs);
  return n;
}

NodePtr source() {
  auto n = std::make_shared<Node>();
  n->kind = NodeKind::DataSource;
  n->name = "src";
  n->patterns = {"/x/*.parquet"};
  return n;
}

TEST(Optimizer, FusesChainsKeepingPlaceholdersAndEscapes) {
  auto a = sql("a", "SELECT *, {__data_partition__} AS p FROM {0} WHERE s = '{{x}}';", {source()});
  auto b = sql("b", "SELECT p, {{'k': 1}} AS m FROM {0}", {a});
  auto out = optimize_plan({b});
  ASSERT_EQ(out.size(), 1u);
  const Node& fused = *out[0];
  EXPECT_EQ(fused.name, "b");
  ASSERT_EQ(fused.inputs.size(), 1u);
  EXPECT_EQ(fused.inputs[0]->kind, NodeKind::DataSource);
  EXPECT_EQ(fused.sql,
            "SELECT p, {{'k': 1}} AS m FROM (SELECT *, {__data_partition__} AS p FROM {0} WHERE s "
            "= '{{x}}'\n)");
  // Expanding the fused template gives what running the two steps would.
  EXPECT_EQ(expand_sql_template(fused.sql, {"t"}, {{"__data_partition__", "2"}}),
            "SELECT p, {'k': 1} AS m FROM (SELECT *, 2 AS p FROM t WHERE s = '{x}'\n)");
}

TEST(Optimizer, LeavesSharedMultiStatementAndJoinedStepsAlone) {
  auto a = sql("a", "SELECT * FROM {0}", {source()});
  auto b = sql("b", "SELECT * FROM {0}", {a});
  auto c = sql("c", "SELECT * FROM {0}", {a});  // a has two consumers
  auto out = optimize_plan({b, c});
  EXPECT_EQ(out[0]->inputs[0]->name, "a");
  EXPECT_EQ(out[0]->inputs[0], out[1]->inputs[0]) << "the shared step stays one node";

  auto multi = sql("m", "CREATE TEMP TABLE t AS SELECT 1; SELECT * FROM {0}", {source()});
  auto after = sql("x", "SELECT * FROM {0}", {multi});
  EXPECT_EQ(optimize_plan({after})[0]->inputs[0]->name, "m");

  auto join = sql("j", "SELECT * FROM {0} JOIN {1} USING (k)", {a, source()});
  auto top = sql("t", "SELECT * FROM {0}", {join});
  auto fused = optimize_plan({top})[0];
  EXPECT_EQ(fused->inputs.size(), 2u) << "a join child keeps its inputs";
  EXPECT_EQ(fused->inputs[0]->name, "a") << "a multi-input step does not absorb its inputs";

  auto limit = std::make_shared<Node>();
  limit->kind = NodeKind::Limit;
  limit->name = "l";
  limit->limit = 2;
  limit->inputs = {a};
  auto over_limit = sql("o", "SELECT * FROM {0}", {limit});
  EXPECT_EQ(optimize_plan({over_limit})[0]->inputs[0]->kind, NodeKind::Limit);
}

TEST(SqlTemplate, SingleStatementDetection) {
  EXPECT_TRUE(is_single_sql_statement("SELECT ';' AS x;  "));
  EXPECT_TRUE(is_single_sql_statement("SELECT 1 -- a; comment\n"));
  EXPECT_TRUE(is_single_sql_statement("SELECT \"a;b\" FROM t /* ; */"));
  EXPECT_FALSE(is_single_sql_statement("SELECT 1; SELECT 2"));
  EXPECT_FALSE(is_single_sql_statement(" ; "));
}

}  // namespace
}  // namespace smallpond
