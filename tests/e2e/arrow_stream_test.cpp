// Arrow C streams in and out of a session (DataFrame::to_arrow, Session::from_arrow): rows in
// partition order, every column's values as DuckDB reads the unpartitioned input, empty
// results with their columns, and errors that name what failed.
#include <gtest/gtest.h>

#include <cstring>

#include "io/filesystem.h"
#include "smallpond/smallpond.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::duckdb_query;
using testing::sorted;

Options options_in(const testing::TempDir& dir) {
  Options o;
  o.job_dir = dir / "job";
  o.executors = 2;
  o.progress = false;
  return o;
}

// Pulls a stream to its end; returns the rows and the first column's int64 values.
struct Pulled {
  int64_t rows = 0;
  int batches = 0;
  std::vector<int64_t> first_column;
  std::string format;  // the schema's format ("+s": record batches)
  int64_t columns = 0;
};

Pulled pull(ArrowArrayStream& s) {
  Pulled p;
  ArrowSchema schema{};
  EXPECT_EQ(s.get_schema(&s, &schema), 0);
  p.format = schema.format;
  p.columns = schema.n_children;
  bool int64_first = schema.n_children > 0 && std::strcmp(schema.children[0]->format, "l") == 0;
  schema.release(&schema);
  while (true) {
    ArrowArray a{};
    EXPECT_EQ(s.get_next(&s, &a), 0);
    if (!a.release) break;
    p.rows += a.length;
    p.batches++;
    if (int64_first) {
      const ArrowArray* c = a.children[0];
      auto* values = static_cast<const int64_t*>(c->buffers[1]);
      for (int64_t i = 0; i < c->length; i++) p.first_column.push_back(values[c->offset + i]);
    }
    a.release(&a);
  }
  s.release(&s);
  return p;
}

TEST(ArrowStream, ToArrowGivesThePartitionsInOrder) {
  testing::TempDir dir;
  testing::write_items(dir / "in", 30000, 3);
  auto sp = init(options_in(dir));
  // Three partitions of contiguous rows, each sorted descending: partition order shows.
  auto df = sp.partial_sql("SELECT item, item * 2 AS twice FROM {0} ORDER BY item DESC",
                           sp.read_parquet(dir / "in/*.parquet").repartition(3));
  ArrowArrayStream s{};
  df.to_arrow(&s);
  Pulled p = pull(s);
  EXPECT_EQ(p.format, "+s");
  EXPECT_EQ(p.columns, 2);
  EXPECT_EQ(p.rows, 30000);
  ASSERT_EQ(p.first_column.size(), 30000u);
  std::vector<int64_t> expected;
  for (int part = 0; part < 3; part++)
    for (int64_t i = (part + 1) * 10000 - 1; i >= part * 10000; i--) expected.push_back(i);
  EXPECT_EQ(p.first_column, expected);
}

TEST(ArrowStream, RoundTripKeepsEveryValueAndType) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  const std::string rows =
      "SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE 'ü' || i::VARCHAR END AS s, "
      "i / 3.0 AS d, DATE '2024-01-01' + i::INTEGER AS day, [i, i + 1] AS l, "
      "{'a': i, 'b': i % 2 = 0} AS st FROM range(5000) t(i)";
  duckdb_query("COPY (" + rows + ") TO '" + dir / "in.parquet" + "' (FORMAT parquet)");
  auto df = sp.read_parquet(dir / "in.parquet").repartition(4, "id");
  ArrowArrayStream s{};
  df.to_arrow(&s);
  auto back = sp.from_arrow(&s);
  EXPECT_EQ(s.release, nullptr);  // taken and released
  Table truth = sorted(duckdb_query(rows));
  Table got = sorted(back.to_table());
  EXPECT_EQ(got.column_names, truth.column_names);
  EXPECT_EQ(got.column_types, truth.column_types);
  EXPECT_EQ(got.rows, truth.rows);
  // The same data gives the same source file (named by content): a rerun resumes.
  ArrowArrayStream again{};
  df.to_arrow(&again);
  EXPECT_EQ(sorted(sp.from_arrow(&again).to_table()).rows, truth.rows);
  auto sources = list_files_recursive(dir / "job/sources");
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].rfind("arrow-", 0), 0u) << sources[0];
}

TEST(ArrowStream, AnEmptyResultKeepsItsColumns) {
  testing::TempDir dir;
  testing::write_items(dir / "in", 100, 2);
  auto sp = init(options_in(dir));
  auto none = sp.read_parquet(dir / "in/*.parquet").repartition(2).filter("item < 0");
  ArrowArrayStream s{};
  none.to_arrow(&s);
  ArrowArrayStream copy{};
  none.to_arrow(&copy);
  Pulled p = pull(copy);
  EXPECT_EQ(p.rows, 0);
  EXPECT_EQ(p.columns, 1);
  auto back = sp.from_arrow(&s);
  EXPECT_EQ(back.count(), 0);
  Table t = back.to_table();
  EXPECT_EQ(t.column_names, std::vector<std::string>{"item"});
  EXPECT_EQ(t.column_types, std::vector<std::string>{"BIGINT"});
}

// A stream that fails on its second batch: from_arrow names the stream's own message and
// leaves no file behind.
struct FailingStream {
  static int schema(ArrowArrayStream*, ArrowSchema*) { return EINVAL; }
  static int next(ArrowArrayStream*, ArrowArray*) { return EIO; }
  static const char* error(ArrowArrayStream*) { return "the disk went away"; }
  static void release(ArrowArrayStream* s) {
    *static_cast<bool*>(s->private_data) = true;
    s->release = nullptr;
  }
};

TEST(ArrowStream, ErrorsNameTheStreamAndReleaseIt) {
  testing::TempDir dir;
  auto sp = init(options_in(dir));
  EXPECT_THROW(sp.from_arrow(nullptr), InvalidInputError);
  bool released = false;
  ArrowArrayStream s{FailingStream::schema, FailingStream::next, FailingStream::error,
                     FailingStream::release, &released};
  try {
    sp.from_arrow(&s);
    FAIL() << "no error";
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("the disk went away"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(released);
  EXPECT_EQ(list_files_recursive(dir / "job/sources"), std::vector<std::string>{});
}

}  // namespace
}  // namespace smallpond
