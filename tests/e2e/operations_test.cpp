// DataFrame operations end to end, each against DuckDB on the unpartitioned input or an exact
// property (smallpond's test scenarios).
#include <gtest/gtest.h>

#include <set>

#include "io/filesystem.h"
#include "smallpond/smallpond.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::duckdb_query;
using testing::sorted;

class Operations : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_items(dir / "items", 1000, 10);
    Options o;
    o.job_dir = dir / "job";
    o.executors = 2;
    o.progress = false;
    sp = std::make_unique<Session>(init(o));
  }
  DataFrame items() { return sp->read_parquet(dir / "items/*.parquet"); }
  std::vector<int64_t> column(const Table& t, size_t c = 0) {
    std::vector<int64_t> out;
    for (auto& row : t.rows) out.push_back(row[c].as_int());
    return out;
  }
  std::string error_of(const DataFrame& df) {
    try {
      df.to_table();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }
  testing::TempDir dir;
  std::unique_ptr<Session> sp;
};

TEST_F(Operations, FilterMapAndPartialSort) {
  auto df = items().repartition(3).filter("item % 7 = 0").map("item, item * 2 AS twice");
  Table t = sorted(df.to_table());
  Table truth = sorted(duckdb_query("SELECT item, item * 2 AS twice FROM read_parquet('" +
                                    dir / "items/*.parquet" + "') WHERE item % 7 = 0"));
  EXPECT_EQ(t.column_names, truth.column_names);
  EXPECT_EQ(t.rows, truth.rows);
  // partial_sort: each partition in order; partitions concatenated keep their order.
  Table desc = items().repartition(1).partial_sort("item DESC").take(3);
  EXPECT_EQ(column(desc), (std::vector<int64_t>{999, 998, 997}));
}

TEST_F(Operations, LimitIsGlobal) {
  auto parts = items().repartition(4);
  EXPECT_EQ(parts.limit(2).count(), 2);
  EXPECT_EQ(parts.limit(2).num_partitions(), 1);
  EXPECT_EQ(parts.limit(5000).count(), 1000);
  EXPECT_EQ(parts.limit(0).count(), 0);
  EXPECT_EQ(items().take(2).num_rows(), 2u);
}

TEST_F(Operations, RepartitionByExpression) {
  RepartitionOptions by;
  by.by = "item % 10";
  auto parts = items().repartition(10, by);
  Table t = sp->partial_sql(
                  "SELECT {__data_partition__} AS p, min(item % 10) AS lo, max(item % 10) AS hi, "
                  "count(*) AS n FROM {0}",
                  parts)
                .to_table();
  ASSERT_EQ(t.num_rows(), 10u);
  for (size_t p = 0; p < 10; p++) {
    EXPECT_EQ(t.rows[p][0].as_int(), int64_t(p));  // partition i ...
    EXPECT_EQ(t.rows[p][1].as_int(), int64_t(p));  // ... holds only rows with item % 10 == i
    EXPECT_EQ(t.rows[p][2].as_int(), int64_t(p));
    EXPECT_EQ(t.rows[p][3].as_int(), 100);
  }
  by.by = "item % 11";
  std::string m = error_of(items().repartition(10, by));
  EXPECT_NE(m.find("partition key 10 is out of range 0-9"), std::string::npos) << m;
  // A number of another type is a partition too (a DECIMAL here); text is refused by name.
  by.by = "(item % 10) * 1.0";
  Table wrong = sp->partial_sql(
                      "SELECT count(*) FILTER (item % 10 <> {__data_partition__}) AS w, "
                      "count(*) AS n FROM {0}",
                      items().repartition(10, by))
                    .to_table();
  ASSERT_EQ(wrong.num_rows(), 10u);
  for (auto& row : wrong.rows) {
    EXPECT_EQ(row[0].as_int(), 0);
    EXPECT_EQ(row[1].as_int(), 100);
  }
  by.by = "'p' || item";
  m = error_of(items().repartition(10, by));
  EXPECT_NE(m.find("the partition expression ''p' || item' gives a VARCHAR, not a partition "
                   "number"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("hash_by"), std::string::npos) << m;
}

TEST_F(Operations, RandomShuffleKeepsEveryRow) {
  auto shuffled = items().random_shuffle(4);
  EXPECT_EQ(shuffled.num_partitions(), 4);
  Table t = shuffled.to_table();
  std::vector<int64_t> got = column(t);
  std::multiset<int64_t> seen(got.begin(), got.end());
  ASSERT_EQ(seen.size(), 1000u);
  int64_t expect = 0;
  for (int64_t v : seen) EXPECT_EQ(v, expect++);
  // Not the input order: count inversions (a sorted input has none; a shuffle about n^2/4).
  int64_t inversions = 0;
  for (size_t i = 0; i < got.size(); i++)
    for (size_t j = i + 1; j < got.size(); j++) inversions += got[i] > got[j];
  EXPECT_GT(inversions, 150000);
  EXPECT_LT(inversions, 350000);
}

TEST_F(Operations, UnionConcatenatesPartitions) {
  auto a = items().repartition(2);
  auto b = items().filter("item < 10");
  auto u = a.union_all({b});
  EXPECT_EQ(u.num_partitions(), 3);
  EXPECT_EQ(u.count(), 1010);
}

// drop_duplicates against DuckDB on the unpartitioned data: by key columns (the first row in
// the order of all columns is kept), and by all columns; NULL and non-ASCII keys included.
TEST_F(Operations, DropDuplicatesEqualsDuckDB) {
  make_dirs(dir / "dups");
  for (int f = 0; f < 3; f++)
    duckdb_query(
        "COPY (SELECT CASE WHEN range % 7 = 0 THEN NULL ELSE ['a', 'ß', 'é'][range % 3 + 1] "
        "END AS k, range % 5 AS j, (range * " +
        std::to_string(f + 1) + ") % 4 AS v FROM range(200)) TO '" +
        dir / ("dups/" + std::to_string(f) + ".parquet") + "' (FORMAT parquet)");
  std::string all = "read_parquet('" + dir / "dups/*.parquet" + "')";
  auto df = sp->read_parquet(dir / "dups/*.parquet").repartition(3);
  Table by_key = sorted(df.drop_duplicates({"k", "j"}, 4).to_table());
  Table want = sorted(duckdb_query("SELECT DISTINCT ON (k, j) * FROM " + all + " ORDER BY ALL"));
  EXPECT_EQ(by_key.rows, want.rows);
  EXPECT_EQ(by_key.num_rows(), 20u);  // 4 k values (NULL too) x 5 j values
  Table whole = sorted(df.drop_duplicates().to_table());
  EXPECT_EQ(whole.rows, sorted(duckdb_query("SELECT DISTINCT * FROM " + all)).rows);
  EXPECT_EQ(df.drop_duplicates({"k"}).num_partitions(), 2);  // one per executor by default
  EXPECT_THROW(df.drop_duplicates({"k"}, -1), InvalidInputError);
}

TEST_F(Operations, RepartitionByABracedListOfColumns) {
  // `repartition(n, {"a", "b"})` was ambiguous (a string can be built from two pointers).
  auto df =
      sp->partial_sql("SELECT item, item % 7 AS m FROM {0}", items()).repartition(4, {"m", "item"});
  EXPECT_EQ(df.num_partitions(), 4);
  EXPECT_EQ(df.count(), 1000);
}

// A union is read by its consumers as one data set: inputs read differently (CSV beside
// Parquet, a projection beside all columns) must each keep their own reader.
TEST_F(Operations, UnionOfInputsReadDifferentlyKeepsEachReader) {
  testing::write_text(dir / "mixed.csv", "k,v\n1,x\n2,y\n");
  duckdb_query(
      "COPY (SELECT 3::BIGINT AS k, 'z' AS v, 0.5 AS extra UNION ALL SELECT 4, 'w', 1) "
      "TO '" +
      dir / "mixed.parquet" + "' (FORMAT parquet)");
  auto csv = sp->read_csv({dir / "mixed.csv"});
  ParquetOptions kv;
  kv.columns = {"k", "v"};
  auto parquet = sp->read_parquet(dir / "mixed.parquet", kv);
  const std::vector<int64_t> all = {1, 2, 3, 4};
  for (auto& u : {csv.union_all({parquet}), parquet.union_all({csv})}) {
    Table t = sorted(u.repartition(2).to_table());
    EXPECT_EQ(t.column_names, (std::vector<std::string>{"k", "v"}));
    EXPECT_EQ(column(t), all);
    EXPECT_EQ(column(sorted(u.repartition(3, "k").to_table())), all);
    EXPECT_EQ(u.limit(10).count(), 4);
    EXPECT_EQ(column(sorted(u.limit(10).to_table())), all);
  }
}

TEST_F(Operations, PartitionPlaceholderAndEscapedBraces) {
  Table t = sp->partial_sql("SELECT {__data_partition__} AS p, {{'k': count(*)}} AS s FROM {0}",
                            items().repartition(3))
                .to_table();
  ASSERT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(column(t), (std::vector<int64_t>{0, 1, 2}));
  EXPECT_EQ(t.rows[0][1].as_string(),
            "{'k': 400}");  // 10 files of 100 rows over 3 partitions: 4, 3, 3
}

TEST_F(Operations, FusedSqlChainsGiveTheSameResult) {
  auto chain = [&](Session& s) {
    auto df = s.read_parquet(dir / "items/*.parquet").repartition(3);
    df = df.filter("item % 3 = 0").map("item, {__data_partition__} AS p").filter("item > 100");
    return s.partial_sql("SELECT p, count(*) AS n, sum(item) AS total FROM {0} GROUP BY p", df);
  };
  Table fused = chain(*sp).to_table();
  const JobReport& report = sp->last_report();
  EXPECT_EQ(report.executed_tasks(), 3) << report.to_string();  // one fused SQL step, 3 partitions
  Options plain;
  plain.job_dir = dir / "job_plain";
  plain.executors = 2;
  plain.progress = false;
  plain.optimize = false;
  auto sp2 = init(plain);
  Table unfused = chain(sp2).to_table();
  EXPECT_EQ(sp2.last_report().executed_tasks(), 12);
  EXPECT_EQ(fused.rows, unfused.rows);
}

// evolved/: two Parquet files, (a, b) and (a, c); options that read them united by name.
ParquetOptions write_evolved_schemas(const std::string& dir) {
  make_dirs(dir + "/evolved");
  duckdb_query("COPY (SELECT 1 AS a, 'x' AS b) TO '" + dir +
               "/evolved/1.parquet' (FORMAT parquet)");
  duckdb_query("COPY (SELECT 2 AS a, 3.5 AS c) TO '" + dir +
               "/evolved/2.parquet' (FORMAT parquet)");
  ParquetOptions options;
  options.union_by_name = true;
  return options;
}

TEST_F(Operations, UnionByNameReadsEvolvedSchemas) {
  ParquetOptions options = write_evolved_schemas(dir.path());
  Table t = sorted(sp->read_parquet(dir / "evolved", options).to_table());
  EXPECT_EQ(t.column_names, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_TRUE(t.rows[0][2].is_null());
  EXPECT_TRUE(t.rows[1][1].is_null());
  options.union_by_name = false;
  options.columns = {"a"};
  EXPECT_EQ(sp->read_parquet(dir / "evolved", options).count(), 2);
}

// An output of files read with their columns united by name is written with those columns in
// every file, not published as the input files were (each with its own columns).
TEST_F(Operations, AnOutputOfColumnsUnitedByNameHoldsThemAll) {
  ParquetOptions options = write_evolved_schemas(dir.path());
  sp->read_parquet(dir / "evolved", options).write_parquet(dir / "united");
  for (auto& f : list_files_recursive(dir / "united")) {
    if (f.find(".parquet") == std::string::npos) continue;
    Table columns = duckdb_query("SELECT name FROM parquet_schema('" + dir / "united" + "/" + f +
                                 "') WHERE name IN ('a', 'b', 'c') ORDER BY name");
    EXPECT_EQ(columns.num_rows(), 3u) << f;
  }
  Table t = duckdb_query("SELECT a, b, c FROM read_parquet('" + dir / "united/*.parquet" +
                         "') ORDER BY a");
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_TRUE(t.rows[0][2].is_null());
  EXPECT_TRUE(t.rows[1][1].is_null());
}

// A step that reads its input twice is not fused with the step before it: that query would run
// twice, and a volatile one would give two different inputs.
TEST_F(Operations, AnInputReadTwiceIsComputedOnce) {
  auto drawn = sp->partial_sql("SELECT item, random() AS r FROM {0}", items());
  auto joined =
      sp->partial_sql("SELECT count(*) AS n FROM {0} a JOIN {0} b USING (item, r)", drawn);
  int64_t matched = 0;
  for (auto& row : joined.to_table().rows) matched += row[0].as_int();
  EXPECT_EQ(matched, 1000);
}

// An output partitioned into more buckets than a task keeps files open for, of rows that have
// a column named like the bucket column: every row arrives.
TEST_F(Operations, AColumnNamedLikeTheBucketColumnKeepsItsRows) {
  auto df = sp->partial_sql("SELECT item, item % 7 AS __smallpond_bucket FROM {0}", items())
                .repartition(101, "item");
  df.write_parquet(dir / "many");
  Table t = duckdb_query(
      "SELECT count(*), count(DISTINCT item), sum(__smallpond_bucket) FROM "
      "read_parquet('" +
      dir / "many/*.parquet" + "')");
  EXPECT_EQ(t.rows[0][0].as_int(), 1000);
  EXPECT_EQ(t.rows[0][1].as_int(), 1000);
  EXPECT_EQ(t.rows[0][2].as_int(),
            duckdb_query("SELECT sum(range % 7) FROM range(1000)").rows[0][0].as_int());
}

TEST_F(Operations, CsvAndJsonSources) {
  make_dirs(dir / "text/sub");
  testing::write_text(dir / "text/a.csv", "1,x\n2,y\n");
  testing::write_text(dir / "text/sub/b.csv", "3,z\n");
  testing::write_text(dir / "text/c.json", "{\"k\": 5, \"v\": \"w\"}\n{\"k\": 6, \"v\": \"u\"}\n");
  CsvOptions csv;
  csv.schema = {{"k", "BIGINT"}, {"v", "VARCHAR"}};
  auto a = sp->read_csv({dir / "text/*.csv", dir / "text/sub/*.csv"}, csv);
  auto j = sp->read_json({dir / "text/c.json"}, csv.schema);
  a.union_all({j}).write_parquet(dir / "text_out");
  Table t =
      sorted(duckdb_query("SELECT k, v FROM read_parquet('" + dir / "text_out/*.parquet" + "')"));
  EXPECT_EQ(column(t), (std::vector<int64_t>{1, 2, 3, 5, 6}));
  ParquetOptions recursive;
  recursive.recursive = true;
  testing::write_items(dir / "nested/deep", 10, 2);
  EXPECT_EQ(sp->read_parquet(dir / "nested", recursive).count(), 10);
  EXPECT_THROW(sp->read_parquet(dir / "nested").count(), InvalidInputError);  // no files at the top
}

TEST_F(Operations, OneRowInputThroughNestedHashing) {
  testing::write_items(dir / "one", 1, 1);
  auto df = sp->read_parquet(dir / "one/*.parquet").repartition(3, "item").repartition(4, "item");
  EXPECT_EQ(df.num_partitions(), 4);
  EXPECT_EQ(df.count(), 1);
}

TEST_F(Operations, CppFunctionsRunInExecutors) {
  auto parts = items().repartition(3);
  auto mapped = parts.map([](const Row& r) {
    Row out;
    out["item"] = r["item"];
    out["half"] = Value(r["item"].as_int() / 2.0);
    out["tag"] = Value(std::string(r["item"].as_int() % 2 ? "odd" : "even"));
    return out;
  });
  Table t = sorted(mapped.to_table());
  Table truth = sorted(
      duckdb_query("SELECT item, item / 2 AS half, CASE WHEN item % 2 = 1 THEN 'odd' ELSE 'even' "
                   "END AS tag FROM read_parquet('" +
                   dir / "items/*.parquet" + "')"));
  EXPECT_EQ(t.column_names, truth.column_names);
  EXPECT_EQ(t.column_types, (std::vector<std::string>{"BIGINT", "DOUBLE", "VARCHAR"}));
  EXPECT_EQ(t.rows, truth.rows);

  auto kept = parts.filter([](const Row& r) { return r["item"].as_int() % 3 == 0; });
  EXPECT_EQ(kept.count(), 334);
  EXPECT_EQ(kept.to_table().column_names, std::vector<std::string>{"item"});
  EXPECT_EQ(parts.filter([](const Row&) { return false; }).count(), 0);

  auto doubled = parts.flat_map([](const Row& r) {
    std::vector<Row> out(2);
    out[0]["v"] = r["item"];
    out[1]["v"] = Value(r["item"].as_int() + 1000);
    return out;
  });
  Table d =
      sp->partial_sql("SELECT count(*) AS n, sum(v)::BIGINT AS s, count(DISTINCT v) AS d FROM {0}",
                      doubled.repartition(1))
          .to_table();
  EXPECT_EQ(d.rows[0][0].as_int(), 2000);
  EXPECT_EQ(d.rows[0][1].as_int(), 999 * 1000 / 2 * 2 + 1000 * 1000);
  EXPECT_EQ(d.rows[0][2].as_int(), 2000);
}

TEST_F(Operations, CppFunctionsOverManyBatches) {
  // 60 000 rows per partition: many scan batches, written while the input still streams.
  auto df = sp->read_parquet(testing::small_prices_dir()).repartition(2);
  auto expensive = df.filter([](const Row& r) { return r["price"].as_double() > 500; });
  Table want = duckdb_query("SELECT count(*), sum(volume)::BIGINT FROM read_parquet('" +
                            testing::small_prices_dir() + "/*.parquet') WHERE price > 500");
  Table got =
      sp->partial_sql("SELECT count(*), sum(volume)::BIGINT FROM {0}", expensive.repartition(1))
          .to_table();
  EXPECT_EQ(got.rows, want.rows);
}

TEST_F(Operations, FlatMapKeepsRowOrderWithinAPartition) {
  testing::write_items(dir / "three", 3, 1);
  auto df = sp->read_parquet(dir / "three/*.parquet").flat_map([](const Row& r) {
    std::vector<Row> out(2);
    out[0]["x"] = Value(r["item"].as_int() + 1);
    out[1]["x"] = Value(r["item"].as_int() + 4);
    return out;
  });
  EXPECT_EQ(column(df.to_table()), (std::vector<int64_t>{1, 4, 2, 5, 3, 6}));
}

TEST_F(Operations, AFailingCppFunctionNamesItsStep) {
  auto bad = items().map([](const Row&) { return Row{}; }).named("broken");  // no columns
  std::string m = error_of(bad);
  EXPECT_NE(m.find("step 'broken'"), std::string::npos) << m;
  auto throws =
      items().filter([](const Row& r) -> bool { return r["nope"].as_bool(); }).named("lookup");
  m = error_of(throws);
  EXPECT_NE(m.find("no column 'nope'"), std::string::npos) << m;
}

TEST_F(Operations, CppScalarFunctionsInSql) {
  sp->create_function(
      "collatz_steps",
      [](const std::vector<Value>& args) {
        int64_t n = args[0].as_int(), steps = 0;
        while (n > 1) {
          n = n % 2 ? 3 * n + 1 : n / 2;
          steps++;
        }
        return Value(steps);
      },
      {"BIGINT"}, "BIGINT");
  sp->create_function(
      "label",
      [](const std::vector<Value>& args) {
        return Value(args[0].as_string() + "!" + args[1].to_string());
      },
      {"VARCHAR", "BIGINT"}, "VARCHAR");
  auto df =
      items().repartition(3).map("item, collatz_steps(item + 1) AS steps, label('x', item) AS l");
  Table t = sorted(df.to_table());
  ASSERT_EQ(t.num_rows(), 1000u);
  EXPECT_EQ(t.rows[0][1].as_int(), 0);     // collatz(1)
  EXPECT_EQ(t.rows[26][1].as_int(), 111);  // collatz(27): the famous long one
  EXPECT_EQ(t.rows[5][2].as_string(), "x!5");
  // A function whose argument types do not fit is a clear SQL error.
  std::string m = error_of(items().map("label(1.5)").named("bad_call"));
  EXPECT_NE(m.find("step 'bad_call'"), std::string::npos) << m;
  EXPECT_NE(m.find("label"), std::string::npos) << m;
}

// A batched SQL function with parameters: arg0 * factor + offset, NULL for NULL.
std::vector<Value> affine(const Batch& args, const Row& params) {
  std::vector<Value> out(args.num_rows());  // NULL unless set
  for (size_t r = 0; r < args.num_rows(); r++) {
    Value v = args.value(0, r);
    if (!v.is_null())
      out[r] = Value(v.as_int() * params["factor"].as_int() + params["offset"].as_int());
  }
  return out;
}

TEST_F(Operations, BatchedScalarFunctionsWithParametersInSql) {
  Row params;
  params["factor"] = 3;
  params["offset"] = -1;
  sp->create_function("affine", affine, params, {"BIGINT"}, "BIGINT");
  auto df = items().repartition(3).map(
      "item, affine(item) AS a, affine(CASE WHEN item % 2 = 0 THEN NULL ELSE item END) AS b");
  Table got = sorted(df.to_table());
  Table truth = sorted(duckdb_query(
      "SELECT item, item * 3 - 1 AS a, CASE WHEN item % 2 = 0 THEN NULL ELSE item * 3 - 1 END AS "
      "b FROM read_parquet('" +
      dir / "items/*.parquet" + "')"));
  EXPECT_EQ(got.rows, truth.rows);
}

TEST_F(Operations, InMemorySourcesFromRowsAndTables) {
  std::vector<Row> rows;
  for (int i = 0; i < 10; i++) {
    Row r;
    r["k"] = Value(int64_t(i));
    r["name"] = Value("n" + std::to_string(i));
    r["score"] = i % 3 ? Value(i * 1.5) : Value();
    rows.push_back(r);
  }
  auto df = sp->from_rows(rows).repartition(2, "k");
  Table t = sorted(sp->partial_sql("SELECT k, name, score FROM {0} WHERE k >= 5", df).to_table());
  ASSERT_EQ(t.num_rows(), 5u);
  EXPECT_EQ(t.column_types, (std::vector<std::string>{"BIGINT", "VARCHAR", "DOUBLE"}));
  EXPECT_EQ(t.rows[0][1].as_string(), "n5");
  EXPECT_DOUBLE_EQ(t.rows[0][2].as_double(), 7.5);
  EXPECT_TRUE(t.rows[1][2].is_null());  // k = 6
  // The same rows are the same source: a rerun resumes.
  sp->partial_sql("SELECT count(*) AS n FROM {0}", sp->from_rows(rows)).to_table();
  sp->partial_sql("SELECT count(*) AS n FROM {0}", sp->from_rows(rows)).to_table();
  EXPECT_EQ(sp->last_report().executed_tasks(), 0);
  // A table keeps its declared types; a join with files works.
  Table small;
  small.column_names = {"item", "label"};
  small.column_types = {"INTEGER", "VARCHAR"};
  small.rows = {{Value(int64_t(3)), Value(std::string("three"))},
                {Value(int64_t(999)), Value(std::string("last"))}};
  Table joined = sorted(sp->partial_sql("SELECT item, label FROM {0} JOIN {1} USING (item)",
                                        items().repartition(1), sp->from_table(small))
                            .to_table());
  ASSERT_EQ(joined.num_rows(), 2u);
  EXPECT_EQ(joined.rows[1][1].as_string(), "last");
  EXPECT_THROW(sp->from_rows({}), InvalidInputError);
}

// One row per batch: its size, and the sum of "item" read through the Arrow C Data Interface.
Table batch_summary(const Batch& batch) {
  ArrowSchema schema;
  ArrowArray array;
  batch.export_arrow(&schema, &array);
  int64_t sum = 0;
  bool arrow_ok = std::string(schema.format) == "+s" && schema.n_children == 1 &&
                  std::string(schema.children[0]->format) == "l" &&
                  array.length == int64_t(batch.num_rows());
  if (arrow_ok) {
    const ArrowArray* items = array.children[0];
    const int64_t* values = static_cast<const int64_t*>(items->buffers[1]);
    for (int64_t i = 0; i < items->length; i++) sum += values[items->offset + i];
  }
  schema.release(&schema);
  array.release(&array);
  Table out;
  out.column_names = {"n", "total", "arrow_ok"};
  out.column_types = {"BIGINT", "BIGINT", "BOOLEAN"};
  out.rows.push_back({Value(int64_t(batch.num_rows())), Value(sum), Value(arrow_ok)});
  return out;
}

TEST_F(Operations, MapBatchesSpanFilesAndExportArrow) {
  // 1000 rows in 10 files of 100, one partition, batches of 350: 350, 350, 300.
  Table t = items().repartition(1).map_batches(batch_summary, 350).to_table();
  ASSERT_EQ(t.num_rows(), 3u);
  EXPECT_EQ(column(t, 0), (std::vector<int64_t>{350, 350, 300}));
  EXPECT_EQ(t.column_types, (std::vector<std::string>{"BIGINT", "BIGINT", "BOOLEAN"}));
  int64_t total = 0;
  for (auto& row : t.rows) {
    EXPECT_TRUE(row[2].as_bool());
    total += row[1].as_int();
  }
  EXPECT_EQ(total, 999 * 1000 / 2);
  // Batches as tables, row by row, give the rows back.
  auto copy = items().repartition(2).map_batches([](const Batch& b) { return b.to_table(); }, 64);
  EXPECT_EQ(copy.count(), 1000);
}

void triple_items(const Batch& b, ArrowSchema* schema, ArrowArray* array) {
  std::vector<int64_t> out;
  std::vector<std::string> text;
  for (size_t r = 0; r < b.num_rows(); r++) {
    out.push_back(3 * b.value(0, r).as_int());
    text.push_back("#" + std::to_string(out.back()));
  }
  ArrowColumns columns;
  columns.add("thrice", std::move(out)).add("label", text);
  columns.export_arrow(schema, array);
}

TEST_F(Operations, MapBatchesWithArrowOutput) {
  // Columnar in and out: a pass-through gives the input back ...
  auto same = items().repartition(3).map_batches(
      [](const Batch& b, ArrowSchema* s, ArrowArray* a) { b.export_arrow(s, a); }, 128);
  Table t = sorted(same.to_table());
  Table truth =
      sorted(duckdb_query("SELECT * FROM read_parquet('" + dir / "items/*.parquet" + "')"));
  EXPECT_EQ(t.column_names, truth.column_names);
  EXPECT_EQ(t.rows, truth.rows);
  // ... and columns built in C++ become the output columns.
  Table thrice = sorted(items().repartition(2).map_batches(triple_items, 300).to_table());
  Table expected =
      sorted(duckdb_query("SELECT item * 3 AS thrice, '#' || (item * 3) AS label "
                          "FROM read_parquet('" +
                          dir / "items/*.parquet" + "')"));
  EXPECT_EQ(thrice.column_names, expected.column_names);
  EXPECT_EQ(thrice.column_types, (std::vector<std::string>{"BIGINT", "VARCHAR"}));
  EXPECT_EQ(thrice.rows, expected.rows);
}

void scale_items(const Batch& b, const Row& params, ArrowSchema* schema, ArrowArray* array) {
  std::vector<int64_t> out;
  for (size_t r = 0; r < b.num_rows(); r++)
    out.push_back(params["factor"].as_int() * b.value(0, r).as_int());
  ArrowColumns columns;
  columns.add(params["name"].as_string(), std::move(out));
  columns.export_arrow(schema, array);
}

TEST_F(Operations, MapBatchesWithArrowOutputAndParameters) {
  Row params;
  params["factor"] = 5;
  params["name"] = "fivefold";
  Table got = sorted(items().repartition(2).map_batches(scale_items, params, 300).to_table());
  Table expected = sorted(duckdb_query("SELECT item * 5 AS fivefold FROM read_parquet('" +
                                       dir / "items/*.parquet" + "')"));
  EXPECT_EQ(got.column_names, expected.column_names);
  EXPECT_EQ(got.rows, expected.rows);
  // Other parameters, another result (the parameters are part of the step's identity).
  params["factor"] = 7;
  Table seven = items().repartition(2).map_batches(scale_items, params, 300).to_table();
  EXPECT_EQ(sorted(seven).rows.back().at(0).as_int(), 7 * expected.rows.back().at(0).as_int() / 5);
}

// prices hashed by ticker into 3 (dimension "a"), each nested into 5 (dimension "b").
DataFrame nested_3x5(Session& sp) {
  RepartitionOptions outer;
  outer.hash_by = {"ticker"};
  outer.dimension = "a";
  RepartitionOptions inner;
  inner.hash_by = {"ticker", "date"};
  inner.nested = true;
  inner.dimension = "b";
  return sp.read_parquet(testing::small_prices_dir()).repartition(3, outer).repartition(5, inner);
}

TEST_F(Operations, NestedPartitionsAndConsolidate) {
  auto nested = nested_3x5(*sp);
  EXPECT_EQ(nested.num_partitions(), 15);
  Table cells =
      sp->partial_sql("SELECT {a} AS a, {b} AS b, count(*) AS n FROM {0}", nested).to_table();
  ASSERT_EQ(cells.num_rows(), 15u);
  int64_t rows = 0;
  for (size_t p = 0; p < 15; p++) {
    EXPECT_EQ(cells.rows[p][0].as_int(), int64_t(p / 5));
    EXPECT_EQ(cells.rows[p][1].as_int(), int64_t(p % 5));
    rows += cells.rows[p][2].as_int();
  }
  EXPECT_EQ(rows, testing::kSmallPricesRows);
  // Back to 3 partitions: each holds whole tickers, so per-partition group-by is the answer.
  auto merged = nested.consolidate("b");
  EXPECT_EQ(merged.num_partitions(), 3);
  Table by_ticker = sorted(
      sp->partial_sql(
            "SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM {0} GROUP BY ticker",
            merged)
          .to_table());
  Table truth = sorted(
      duckdb_query("SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM read_parquet('" +
                   testing::small_prices_dir() + "/*.parquet') GROUP BY ticker"));
  EXPECT_EQ(by_ticker.rows, truth.rows);
  // A join of two inputs partitioned alike, per partition, is the whole join.
  auto left = nested_3x5(*sp);
  auto right =
      sp->partial_sql("SELECT ticker, date, price * 2 AS double_price FROM {0}", nested_3x5(*sp));
  Table joined = sp->partial_sql(
                       "SELECT count(*) AS n, sum(double_price - 2 * price) AS zero FROM {0} "
                       "JOIN {1} USING (ticker, date)",
                       left, right)
                     .to_table();
  ASSERT_EQ(joined.num_rows(), 15u);
  int64_t matched = 0;
  for (auto& row : joined.rows) matched += row[0].as_int();
  Table whole = duckdb_query("SELECT count(*) FROM read_parquet('" + testing::small_prices_dir() +
                             "/*.parquet') a JOIN read_parquet('" + testing::small_prices_dir() +
                             "/*.parquet') b USING (ticker, date)");
  EXPECT_EQ(matched, whole.rows[0][0].as_int());
  // Nesting into a dimension that is already there is refused.
  RepartitionOptions again;
  again.hash_by = {"ticker"};
  again.nested = true;
  again.dimension = "a";
  EXPECT_THROW(nested.repartition(2, again).count(), InvalidInputError);
}

TEST_F(Operations, OneRowThroughNested3x4) {
  testing::write_items(dir / "one", 1, 1);
  RepartitionOptions outer;
  outer.hash_by = {"item"};
  outer.dimension = "x";
  RepartitionOptions inner = outer;
  inner.nested = true;
  inner.dimension = "y";
  auto df = sp->read_parquet(dir / "one/*.parquet").repartition(3, outer).repartition(4, inner);
  EXPECT_EQ(df.num_partitions(), 12);
  EXPECT_EQ(df.count(), 1);
  EXPECT_EQ(sp->partial_sql("SELECT count(*) AS n FROM {0}", df).to_table().num_rows(), 12u);
}

TEST_F(Operations, LoadPartitionedDataRebuildsThePartitions) {
  auto parts = sp->read_parquet(testing::small_prices_dir()).repartition(4, "ticker");
  parts.write_parquet(dir / "parts");
  const char* per_partition =
      "SELECT {__data_partition__} AS p, count(*) AS n, count(DISTINCT ticker) AS t FROM {0}";
  Table before = sp->partial_sql(per_partition, parts).to_table();
  Table after = sp->partial_sql(per_partition, sp->read_partitioned(dir / "parts", 4)).to_table();
  EXPECT_EQ(after.rows, before.rows);
  // Hive directories: k=0/, k=1/, ... as DuckDB's PARTITION_BY writes them.
  duckdb_query("COPY (SELECT item, item % 3 AS k FROM read_parquet('" + dir / "items/*.parquet" +
               "')) TO '" + dir / "hive" + "' (FORMAT parquet, PARTITION_BY (k))");
  Table hive = sp->partial_sql(
                     "SELECT {__data_partition__} AS p, count(*) AS n, min(item % 3) AS lo, "
                     "max(item % 3) AS hi "
                     "FROM {0}",
                     sp->read_partitioned(dir / "hive", 3, "k"))
                   .to_table();
  ASSERT_EQ(hive.num_rows(), 3u);
  for (int64_t p = 0; p < 3; p++) {
    EXPECT_EQ(hive.rows[p][2].as_int(), p);
    EXPECT_EQ(hive.rows[p][3].as_int(), p);
  }
  // A key beyond the partitions asked for is an error naming it.
  try {
    sp->read_partitioned(dir / "hive", 2, "k").count();
    FAIL();
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("partition key 2 is out of range 0-1"), std::string::npos)
        << e.what();
  }
}

TEST_F(Operations, GeneratedColumnsSurviveRowSplits) {
  ParquetOptions options;
  options.generated_columns = {"filename", "file_row_number"};
  auto df = sp->read_parquet(dir / "items", options).repartition_by_rows(7);  // slices cross files
  // item-0000k.parquet holds items 100k .. 100k+99 in order.
  Table t = sp->partial_sql(
                  "SELECT count(*) AS n, count(*) FILTER (item != regexp_extract(filename, "
                  "'item-([0-9]+)', 1)::INT "
                  "* 100 + file_row_number) AS wrong FROM {0}",
                  df)
                .to_table();
  int64_t rows = 0;
  for (auto& row : t.rows) {
    rows += row[0].as_int();
    EXPECT_EQ(row[1].as_int(), 0);
  }
  EXPECT_EQ(rows, 1000);
  EXPECT_EQ(df.take(1).column_names,
            (std::vector<std::string>{"item", "filename", "file_row_number"}));
  options.generated_columns = {"row_id"};
  EXPECT_THROW(sp->read_parquet(dir / "items", options), InvalidInputError);
}

TEST_F(Operations, AThousandTasks) {
  auto parts = items().repartition_by_rows(1000);
  Table t = sp->partial_sql("SELECT count(*) AS n FROM {0}", parts).to_table();
  EXPECT_EQ(t.num_rows(), 1000u);
  for (auto& row : t.rows) EXPECT_EQ(row[0].as_int(), 1);
  EXPECT_EQ(sp->last_report().executed_tasks(), 1000);
}

}  // namespace
}  // namespace smallpond
