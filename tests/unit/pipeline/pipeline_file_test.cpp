#include "pipeline/pipeline_file.h"

#include <gtest/gtest.h>

#include "smallpond/error.h"

namespace smallpond {
namespace {

const char* kQuickstart = R"(steps:
  - name: prices
    read_parquet: "prices/*.parquet"
  - name: by_ticker
    repartition: {input: prices, npartitions: 3, hash_by: ticker}
  - name: stats
    sql: "SELECT ticker, min(price) AS lo FROM {0} GROUP BY ticker"
    inputs: [by_ticker]
  - name: save
    write_parquet: {input: stats, path: "/out/stats"}
)";

TEST(PipelineFile, ParsesTheQuickstart) {
  Pipeline p = parse_pipeline(kQuickstart, "/base", "p.yaml");
  ASSERT_EQ(p.steps.size(), 4u);
  EXPECT_EQ(p.steps[0]->kind, NodeKind::DataSource);
  EXPECT_EQ(p.steps[0]->patterns, std::vector<std::string>{"/base/prices/*.parquet"});
  EXPECT_EQ(p.steps[1]->kind, NodeKind::HashPartition);
  EXPECT_EQ(p.steps[1]->npartitions, 3);
  EXPECT_EQ(p.steps[1]->hash_columns, std::vector<std::string>{"ticker"});
  EXPECT_EQ(p.steps[2]->inputs[0], p.steps[1]);
  EXPECT_EQ(p.steps[3]->path, "/out/stats");
  ASSERT_EQ(p.targets.size(), 1u);
  EXPECT_EQ(p.targets[0]->name, "save");
}

TEST(PipelineFile, SinkTypes) {
  Pipeline p = parse_pipeline(R"(steps:
  - {name: a, read_parquet: "x"}
  - {name: s, write_parquet: {input: a, path: out, type: manifest}}
)",
                              "/base", "p.yaml");
  EXPECT_EQ(p.steps[1]->sink_type, "manifest");
  EXPECT_EQ(p.steps[1]->path, "/base/out");
  try {
    parse_pipeline(R"(steps:
  - {name: a, read_parquet: "x"}
  - {name: s, write_parquet: {input: a, path: out, type: move}}
)",
                   "/base", "p.yaml");
    FAIL() << "an unknown sink type was accepted";
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown type 'move'"), std::string::npos) << e.what();
  }
}

TEST(PipelineFile, ListsOfPathsAndColumnsAndEvenSplit) {
  Pipeline p = parse_pipeline(R"(steps:
  - {name: a, read_parquet: ["x/1.parquet", "/abs/*.parquet"]}
  - {name: b, repartition: {input: a, npartitions: 4}}
  - {name: c, repartition: {input: a, npartitions: 2, hash_by: [k1, k2]}}
  - {name: d, read_csv: {path: "t.csv", schema: {k: BIGINT, v: VARCHAR}, delimiter: ";", header: true}}
  - {name: e, sql: "SELECT 1"}
)",
                              "/base", "p.yaml");
  EXPECT_EQ(p.steps[0]->patterns,
            (std::vector<std::string>{"/base/x/1.parquet", "/abs/*.parquet"}));
  EXPECT_EQ(p.steps[1]->kind, NodeKind::EvenPartition);
  EXPECT_EQ(p.steps[2]->hash_columns, (std::vector<std::string>{"k1", "k2"}));
  EXPECT_EQ(p.steps[3]->source_options.schema.size(), 2u);
  EXPECT_EQ(p.steps[3]->source_options.delimiter, ";");
  EXPECT_TRUE(p.steps[3]->source_options.header);
  EXPECT_TRUE(p.steps[4]->inputs.empty());
  EXPECT_EQ(p.targets.size(), 4u);  // b, c, d, e: nothing uses them
}

TEST(PipelineFile, SqlShorthandsLimitUnionAndPartitioningModes) {
  Pipeline p = parse_pipeline(R"(steps:
  - {name: a, read_parquet: {path: "x", columns: [k], union_by_name: true, recursive: true, generated_columns: [filename]}}
  - {name: f, filter: {input: a, where: "k > 1"}}
  - {name: m, map: {input: f, select: "k * 2 AS k2"}}
  - {name: s, partial_sort: {input: m, by: k2 DESC}}
  - {name: l, limit: {input: s, n: 10}}
  - {name: b, repartition: {input: a, npartitions: 10, by: "k % 10"}}
  - {name: r, repartition: {input: a, npartitions: 4, random: true}}
  - {name: u, union: [l, b, r]}
  - {name: n1, repartition: {input: a, npartitions: 3, hash_by: k, dimension: outer}}
  - {name: n2, repartition: {input: n1, npartitions: 5, hash_by: k, nested: true, dimension: inner}}
  - {name: c, consolidate: {input: n2, dimension: inner}}
  - {name: lp, read_partitioned: {path: "saved", npartitions: 4, column: k}}
)",
                              "/base", "p.yaml");
  EXPECT_EQ(p.steps[0]->source_options.columns, std::vector<std::string>{"k"});
  EXPECT_TRUE(p.steps[0]->recursive);
  EXPECT_EQ(p.steps[0]->source_options.generated_columns, std::vector<std::string>{"filename"});
  EXPECT_EQ(p.steps[1]->sql, "SELECT * FROM {0} WHERE (k > 1)");
  EXPECT_EQ(p.steps[2]->sql, "SELECT k * 2 AS k2 FROM {0}");
  EXPECT_EQ(p.steps[3]->sql, "SELECT * FROM {0} ORDER BY k2 DESC");
  EXPECT_EQ(p.steps[4]->kind, NodeKind::Limit);
  EXPECT_EQ(p.steps[4]->limit, 10);
  EXPECT_EQ(p.steps[5]->kind, NodeKind::HashPartition);
  EXPECT_EQ(p.steps[5]->partition_by, "k % 10");
  EXPECT_EQ(p.steps[6]->partition_by, "floor(random() * 4)");
  EXPECT_EQ(p.steps[7]->kind, NodeKind::Union);
  EXPECT_EQ(p.steps[7]->inputs.size(), 3u);
  EXPECT_EQ(p.steps[8]->dimension, "outer");
  EXPECT_TRUE(p.steps[9]->nested);
  EXPECT_EQ(p.steps[10]->kind, NodeKind::Consolidate);
  EXPECT_EQ(p.steps[10]->dimension, "inner");
  EXPECT_TRUE(p.steps[11]->load_partitioned);
  EXPECT_EQ(p.steps[11]->npartitions, 4);
  EXPECT_EQ(p.steps[11]->partition_column, "k");
  EXPECT_EQ(p.steps[11]->patterns, std::vector<std::string>{"/base/saved"});
  ASSERT_EQ(p.targets.size(), 3u);
}

// Registered operations (logical/operations.h) are pipeline steps at once, built as the C++
// API builds them: drop_duplicates is a hash partition under the step's name plus a query.
TEST(PipelineFile, RegisteredOperationsAreSteps) {
  Pipeline p = parse_pipeline(R"(steps:
  - {name: a, read_parquet: "x"}
  - {name: d, drop_duplicates: {input: a, columns: [k, j], npartitions: 8}}
  - {name: e, drop_duplicates: {input: d}}
)",
                              "/base", "p.yaml", /*executors=*/3);
  ASSERT_EQ(p.steps.size(), 5u);
  EXPECT_EQ(p.steps[1]->name, "d_drop_duplicates_shuffle");
  EXPECT_EQ(p.steps[1]->kind, NodeKind::HashPartition);
  EXPECT_EQ(p.steps[1]->hash_columns, (std::vector<std::string>{"k", "j"}));
  EXPECT_EQ(p.steps[1]->npartitions, 8);
  EXPECT_EQ(p.steps[2]->name, "d");
  EXPECT_EQ(p.steps[2]->sql, R"(SELECT DISTINCT ON ("k", "j") * FROM {0} ORDER BY ALL)");
  EXPECT_EQ(p.steps[3]->npartitions, 3);  // the session's executors
  EXPECT_EQ(p.steps[4]->inputs[0]->name, "e_drop_duplicates_shuffle");
  ASSERT_EQ(p.targets.size(), 1u);
  EXPECT_EQ(p.targets[0]->name, "e");
}

void expect_error(const std::string& yaml, const std::string& fragment) {
  try {
    parse_pipeline(yaml, "/base", "p.yaml");
    FAIL() << "no error for:\n" << yaml;
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(PipelineFile, ErrorsNameFileLineAndStep) {
  expect_error("steps: [", "p.yaml:");
  expect_error("stepz: []", "top-level 'steps:'");
  expect_error(
      "steps:\n  - name: a\n    read_parquet: x\n  - name: b\n    sql: 'SELECT 1'\n    inputs: "
      "[nope]\n",
      "p.yaml:6: step 'b': unknown input 'nope'");
  expect_error("steps:\n  - name: a\n    read_parquet: x\n  - name: a\n    read_parquet: y\n",
               "already exists");
  expect_error("steps:\n  - name: a\n    read_parquet: x\n    sql: 'SELECT 1'\n",
               "has 'read_parquet' and 'sql'");
  expect_error("steps:\n  - name: a\n    frobnicate: x\n", "unknown key 'frobnicate'");
  expect_error("steps:\n  - name: a b\n    read_parquet: x\n", "invalid step name");
  expect_error(
      "steps:\n  - name: a\n    read_parquet: x\n  - name: b\n    repartition: {input: a, "
      "npartitions: lots}\n",
      "'npartitions' must be an integer");
  expect_error(
      "steps:\n  - name: a\n    read_parquet: x\n  - name: b\n    repartition: {input: a, "
      "npartitions: 2, hashby: k}\n",
      "unknown key 'hashby'");
  expect_error("steps:\n  - name: a\n", "no operation");
  expect_error(
      "steps:\n  - name: a\n    read_parquet: x\n  - name: b\n    repartition: {input: a, "
      "npartitions: 2, by: k, random: true}\n",
      "choose one of");
  expect_error("steps:\n  - name: a\n    read_parquet: x\n  - name: b\n    union: a\n",
               "list of steps");
  expect_error(
      "steps:\n  - name: a\n    read_parquet: x\n  - name: b\n    filter: {input: a, "
      "wher: x}\n",
      "p.yaml:5: step 'b': unknown key 'wher' in 'filter'; did you mean 'where'?");
  expect_error(
      "steps:\n  - name: a\n    read_parquet: x\n  - name: b\n    drop_duplicates: {input: a, "
      "npartitions: -2}\n",
      "p.yaml:5: step 'b': drop_duplicates: npartitions must not be negative");
  expect_error("steps:\n  - name: a\n    read_parquet: x\n  - name: b\n    filter: {input: a}\n",
               "p.yaml:5: step 'b': filter: 'where' is missing");
  expect_error(
      "steps:\n  - name: a\n    read_parquet: x\n  - name: b\n    limit: {input: a, n: -1}\n",
      "limit: n must not be negative");
}

}  // namespace
// repartition and random_shuffle come from the same registry: random_shuffle is a random
// repartition (one partition per executor by default) plus an ORDER BY random() query.
TEST(PipelineFile, RandomShuffleIsARandomRepartitionAndAQuery) {
  Pipeline p = parse_pipeline(R"(steps:
  - {name: a, read_parquet: "x"}
  - {name: r, repartition: {input: a, npartitions: 4, hash_by: [k]}}
  - {name: s, random_shuffle: {input: r}}
)",
                              "/base", "p.yaml", /*executors=*/3);
  ASSERT_EQ(p.steps.size(), 4u);
  EXPECT_EQ(p.steps[1]->name, "r");
  EXPECT_EQ(p.steps[1]->kind, NodeKind::HashPartition);
  EXPECT_EQ(p.steps[1]->hash_columns, std::vector<std::string>{"k"});
  EXPECT_EQ(p.steps[2]->kind, NodeKind::HashPartition);
  EXPECT_EQ(p.steps[2]->name, "s_repartition");
  EXPECT_EQ(p.steps[2]->npartitions, 3);  // the session's executors
  EXPECT_EQ(p.steps[2]->partition_by, "floor(random() * 3)");
  EXPECT_EQ(p.steps[3]->name, "s");
  EXPECT_EQ(p.steps[3]->sql, "SELECT * FROM {0} ORDER BY random()");
  expect_error(R"(steps:
  - {name: a, read_parquet: "x"}
  - {name: r, repartition: {input: a, npartitions: 4, hash_by: k, by_rows: true}}
)",
               "step 'r': repartition: choose one of hash_by, by, by_rows and random");
}

}  // namespace smallpond
