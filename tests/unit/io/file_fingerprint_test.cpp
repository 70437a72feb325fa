// File fingerprints tell a damaged or replaced output from the one that was written.
#include "io/file_fingerprint.h"

#include <gtest/gtest.h>

#include "io/filesystem.h"
#include "smallpond/error.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

TEST(FileFingerprint, ParquetFilesDifferByFooterAndSize) {
  testing::TempDir dir;
  testing::duckdb_query("COPY (SELECT range AS x FROM range(1000)) TO '" + (dir / "a.parquet") +
                        "' (FORMAT parquet)");
  testing::duckdb_query("COPY (SELECT range + 1 AS x FROM range(1000)) TO '" + (dir / "b.parquet") +
                        "' (FORMAT parquet)");
  auto a = file_fingerprint(dir / "a.parquet");
  EXPECT_EQ(a, file_fingerprint(dir / "a.parquet"));
  copy_file(dir / "a.parquet", dir / "copy.parquet");
  EXPECT_EQ(a, file_fingerprint(dir / "copy.parquet"));  // content, not inode or time
  auto b = file_fingerprint(dir / "b.parquet");
  EXPECT_NE(a.hash, b.hash);
  std::string bytes = read_file(dir / "a.parquet");
  testing::write_text(dir / "cut.parquet", bytes.substr(0, bytes.size() - 1));
  EXPECT_NE(a, file_fingerprint(dir / "cut.parquet"));
}

TEST(FileFingerprint, OtherFilesByTheirEdges) {
  testing::TempDir dir;
  std::string big(300000, 'x');
  testing::write_text(dir / "a", big);
  auto a = file_fingerprint(dir / "a");
  big[299999] = 'y';
  testing::write_text(dir / "b", big);
  EXPECT_NE(a, file_fingerprint(dir / "b"));
  EXPECT_THROW(file_fingerprint(dir / "missing"), Error);
}

}  // namespace
}  // namespace smallpond
