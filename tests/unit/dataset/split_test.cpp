#include "dataset/split.h"

#include <gtest/gtest.h>

#include <numeric>

#include "io/filesystem.h"
#include "support/test_env.h"

namespace smallpond {

TEST(Split, SizesAreContiguousAndFrontLoaded) {
  for (int64_t total : {0, 1, 7, 100}) {
    for (int n = 1; n <= 9; n++) {
      auto sizes = split_sizes(total, n);
      ASSERT_EQ(sizes.size(), size_t(n));
      EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), int64_t(0)), total);
      for (int i = 1; i < n; i++) {
        EXPECT_LE(sizes[i], sizes[i - 1]);
        EXPECT_LE(sizes[0] - sizes[i], 1);
      }
    }
  }
}

static DataSet synthetic(int files) {
  DataSet ds;
  for (int i = 0; i < files; i++) ds.files.push_back({"/f" + std::to_string(i), 0, -1});
  return ds;
}

TEST(Split, ByFilesKeepsEveryFileOnceInOrder) {
  for (int files = 0; files <= 7; files++) {
    for (int n = 1; n <= 9; n++) {
      auto parts = split_by_files(synthetic(files), n);
      ASSERT_EQ(parts.size(), size_t(n));
      std::vector<FileSlice> all;
      for (auto& p : parts) all.insert(all.end(), p.files.begin(), p.files.end());
      EXPECT_EQ(all, synthetic(files).files);
    }
  }
}

// A part holds its own files, not a copy of the whole input's list (100 000 files into 1 000
// parts must not make 100 million entries).
TEST(Split, PartsDoNotCarryTheWholeFileList) {
  DataSet input;
  for (int f = 0; f < 100000; f++) input.files.push_back({"/data/f" + std::to_string(f), 0, -1});
  auto parts = split_by_files(input, 1000);
  size_t capacity = 0;
  for (auto& p : parts) capacity += p.files.capacity();
  EXPECT_EQ(capacity, input.files.size());
}

TEST(Split, ByRowsCoversEveryRowExactlyOnce) {
  DataSet ds = synthetic(4);
  std::vector<int64_t> rows = {10, 0, 3, 25};
  for (int n = 1; n <= 12; n++) {
    auto parts = split_by_rows(ds, n, rows);
    ASSERT_EQ(parts.size(), size_t(n));
    std::map<std::string, std::vector<bool>> seen;
    for (size_t f = 0; f < rows.size(); f++) seen[ds.files[f].path].assign(rows[f], false);
    auto sizes = split_sizes(38, n);
    for (int p = 0; p < n; p++) {
      int64_t part_rows = 0;
      for (auto& s : parts[p].files) {
        int64_t end = s.end < 0 ? int64_t(seen[s.path].size()) : s.end;
        for (int64_t r = s.begin; r < end; r++) {
          EXPECT_FALSE(seen[s.path][r]) << "row read twice";
          seen[s.path][r] = true;
          part_rows++;
        }
      }
      EXPECT_EQ(part_rows, sizes[p]);
    }
    for (auto& [path, flags] : seen)
      for (bool b : flags) EXPECT_TRUE(b) << "row lost in " << path;
  }
}

TEST(Split, ByRowsOnRealFilesMatchesDuckDB) {
  DataSet ds;
  for (auto& f : expand_path(testing::small_prices_dir(), ".parquet"))
    ds.files.push_back({f.path, 0, -1});
  std::vector<int64_t> rows(ds.files.size(), testing::kSmallPricesRows / 6);
  auto parts = split_by_rows(ds, 7, rows);
  double total = 0;
  int64_t count = 0;
  for (auto& p : parts) {
    Table t = testing::duckdb_query("SELECT count(*), sum(price) FROM (" + p.sql() + ")");
    count += t.rows[0][0].as_int();
    total += t.rows[0][1].as_double();
  }
  Table want = testing::duckdb_query("SELECT count(*), sum(price) FROM (" + ds.sql() + ")");
  EXPECT_EQ(count, want.rows[0][0].as_int());
  EXPECT_NEAR(total, want.rows[0][1].as_double(), 1e-6 * total);
}

}  // namespace smallpond
