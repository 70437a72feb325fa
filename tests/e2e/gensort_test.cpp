// GraySort's data: gensort-format records (generate gensort) and valsort's checks
// (validate-sort), against DuckDB reading the same files.
#include "datagen/gensort.h"

#include <gtest/gtest.h>

#include "e2e/cli_run.h"
#include "io/filesystem.h"
#include "smallpond/error.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::contains;
using testing::duckdb_query;
using testing::smallpond_cli;

int64_t count_where(const std::string& dir, const std::string& condition) {
  return duckdb_query("SELECT count(*) FROM read_parquet('" + dir + "/*.parquet') WHERE " +
                      condition)
      .rows[0][0]
      .as_int();
}

// Writes the records of `from` into `to` with DuckDB: ordered by `order` and cut into `files`
// files by ranges of row numbers.
void copy_records(const std::string& from, const std::string& to, const std::string& order,
                  int files, int64_t records) {
  make_dirs(to);
  for (int f = 0; f < files; f++) {
    int64_t begin = records * f / files, end = records * (f + 1) / files;
    duckdb_query("COPY (SELECT key, payload FROM (SELECT *, row_number() OVER (ORDER BY " + order +
                 ") - 1 AS n FROM read_parquet('" + from + "/*.parquet')) WHERE n >= " +
                 std::to_string(begin) + " AND n < " + std::to_string(end) + " ORDER BY n) TO '" +
                 to + "/part-" + std::to_string(f) + ".parquet' (FORMAT parquet)");
  }
}

TEST(Gensort, BinaryRecordsHaveGensortsLayout) {
  testing::TempDir dir;
  GensortSpec spec;
  spec.records = 5000;
  spec.files = 3;
  ASSERT_TRUE(generate_gensort(dir / "in", spec));
  std::string in = dir / "in";
  EXPECT_EQ(count_where(in, "true"), 5000);
  EXPECT_EQ(count_where(in, "octet_length(key) = 10 AND octet_length(payload) = 90"), 5000);
  // 0x00 0x11, the record number in 32 hex digits, 0x88..0xBB, filler, 0xCC..0xFF.
  EXPECT_EQ(count_where(in,
                        "payload[1:2] = '\\x00\\x11'::BLOB AND "
                        "payload[35:38] = '\\x88\\x99\\xAA\\xBB'::BLOB AND "
                        "payload[87:90] = '\\xCC\\xDD\\xEE\\xFF'::BLOB"),
            5000);
  auto numbers = duckdb_query(
      "SELECT min(n), max(n), count(DISTINCT n) FROM (SELECT ('0x' || "
      "payload[19:34]::VARCHAR)::BIGINT AS n FROM read_parquet('" +
      in + "/*.parquet'))");
  EXPECT_EQ(numbers.rows[0][0].to_string(), "0");
  EXPECT_EQ(numbers.rows[0][1].to_string(), "4999");
  EXPECT_EQ(numbers.rows[0][2].as_int(), 5000);
  // Random keys: all distinct at this size, every first byte value about as often.
  EXPECT_EQ(duckdb_query("SELECT count(DISTINCT key) FROM read_parquet('" + in + "/*.parquet')")
                .rows[0][0]
                .as_int(),
            5000);
  EXPECT_GT(count_where(in, "key < '\\x80'::BLOB"), 2000);
  EXPECT_GT(count_where(in, "key >= '\\x80'::BLOB"), 2000);
  // The same settings again: nothing to do; others: refused.
  EXPECT_FALSE(generate_gensort(dir / "in", spec));
  spec.files = 4;
  EXPECT_THROW(generate_gensort(dir / "in", spec), InvalidInputError);
}

TEST(Gensort, AsciiRecordsArePrintableLinesAndTheSameEveryTime) {
  testing::TempDir dir;
  GensortSpec spec;
  spec.records = 2000;
  spec.files = 2;
  spec.ascii = true;
  ASSERT_TRUE(generate_gensort(dir / "a", spec));
  ASSERT_TRUE(generate_gensort(dir / "b", spec));
  std::string a = dir / "a";
  EXPECT_EQ(count_where(a, "octet_length(key) = 10 AND octet_length(payload) = 90"), 2000);
  EXPECT_EQ(count_where(a,
                        "regexp_full_match(decode(key), '[ -~]{10}') AND "
                        "regexp_full_match(decode(payload), "
                        "'  [0-9A-F]{32}  [A-P]{52}\\r\\n')"),
            2000);
  SortCheck first = check_sorted(a, false), second = check_sorted(dir / "b", false);
  EXPECT_EQ(first.records, 2000);
  EXPECT_EQ(first.checksum, second.checksum);
  EXPECT_EQ(first.malformed, 0);
}

TEST(Gensort, ValidationFindsWhatIsOutOfOrderMissingOrRepeated) {
  testing::TempDir dir;
  GensortSpec spec;
  spec.records = 3000;
  spec.files = 2;
  ASSERT_TRUE(generate_gensort(dir / "in", spec));
  SortCheck input = check_sorted(dir / "in", false);
  EXPECT_EQ(input.records, 3000);
  // The input as it is: not in order.
  SortCheck unsorted = check_sorted(dir / "in");
  EXPECT_FALSE(unsorted.ordered);
  EXPECT_TRUE(contains(unsorted.first_unordered, "gensort-00000.parquet"))
      << unsorted.first_unordered;

  // Sorted by DuckDB into 3 files: in order, the same records.
  copy_records(dir / "in", dir / "sorted", "key", 3, 3000);
  SortCheck sorted = check_sorted(dir / "sorted");
  EXPECT_TRUE(sorted.ordered) << sorted.first_unordered;
  EXPECT_EQ(sorted.records, 3000);
  EXPECT_EQ(sorted.checksum, input.checksum);
  EXPECT_EQ(sorted.duplicate_keys, 0);

  // Each file in order, the files in the wrong order.
  copy_records(dir / "in", dir / "backwards", "key DESC", 3, 3000);
  for (int f = 0; f < 3; f++) {
    std::string file = (dir / "backwards") + "/part-" + std::to_string(f) + ".parquet";
    duckdb_query("COPY (SELECT * FROM read_parquet('" + file + "') ORDER BY key) TO '" + file +
                 "' (FORMAT parquet)");
  }
  SortCheck backwards = check_sorted(dir / "backwards");
  EXPECT_FALSE(backwards.ordered);
  EXPECT_TRUE(contains(backwards.first_unordered, "part-1.parquet, row 0"))
      << backwards.first_unordered;

  // A record lost: the checksum differs; a record twice: a duplicate key.
  make_dirs(dir / "changed");
  duckdb_query("COPY (SELECT * FROM read_parquet('" + (dir / "sorted") +
               "/*.parquet') WHERE key <> (SELECT min(key) FROM read_parquet('" + (dir / "in") +
               "/*.parquet')) ORDER BY key) TO '" + (dir / "changed") +
               "/a.parquet' (FORMAT parquet)");
  EXPECT_NE(check_sorted(dir / "changed").checksum, input.checksum);
  duckdb_query("COPY (SELECT * FROM (SELECT * FROM read_parquet('" + (dir / "sorted") +
               "/*.parquet') UNION ALL (SELECT * FROM read_parquet('" + (dir / "sorted") +
               "/*.parquet') LIMIT 1)) ORDER BY key) TO '" + (dir / "changed") +
               "/a.parquet' (FORMAT parquet)");
  SortCheck repeated = check_sorted(dir / "changed");
  EXPECT_TRUE(repeated.ordered);
  EXPECT_EQ(repeated.duplicate_keys, 1);
  EXPECT_EQ(repeated.records, 3001);
}

// The whole benchmark in small: generate, sort with a pipeline (ranges of the first key byte,
// then a sort in each partition), validate against the input.
TEST(Gensort, APipelineSortPassesValidationAndAScrambledOneDoesNot) {
  testing::TempDir dir;
  auto r = smallpond_cli("generate gensort " + (dir / "in") + " --records 20000 --files 3");
  ASSERT_EQ(r.status, 0) << r.output;
  std::string yaml =
      "steps:\n"
      "  - name: records\n"
      "    read_parquet: in\n"
      "  - name: ranges\n"
      "    repartition: {input: records, npartitions: 6, by: \"('0x' || left(hex(key), "
      "2))::INTEGER "
      "* 6 // 256\"}\n"
      "  - name: sorted\n"
      "    partial_sort: {input: ranges, by: key}\n"
      "  - name: out\n"
      "    write_parquet: {input: sorted, path: out}\n";
  testing::write_text(dir / "sort.yaml", yaml);
  r = smallpond_cli("run " + (dir / "sort.yaml") + " --quiet");
  ASSERT_EQ(r.status, 0) << r.output;
  r = smallpond_cli("validate-sort " + (dir / "out") + " --input " + (dir / "in"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "Records: 20000")) << r.output;
  EXPECT_TRUE(contains(r.output, "SUCCESS")) << r.output;
  r = smallpond_cli("validate-sort " + (dir / "in") + " --input " + (dir / "in"));
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "ERROR - out of order")) << r.output;
}

}  // namespace
}  // namespace smallpond
