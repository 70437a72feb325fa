// File fingerprints tell a damaged or replaced output from the one that was written.
#include "io/file_fingerprint.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <xxhash.h>

#include <cstdio>
#include <cstring>

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

std::string hex(const std::string& bytes) {
  char out[17];
  std::snprintf(out, sizeof out, "%016llx",
                static_cast<unsigned long long>(XXH3_64bits(bytes.data(), bytes.size())));
  return out;
}

std::string mtime_of(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return "@" + std::to_string(int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec);
}

// What a Parquet file's fingerprint hashes, taken from the file's bytes here: the leading
// magic and the footer with its length and trailing magic.
std::string magic_and_footer(const std::string& bytes) {
  uint32_t length = 0;
  std::memcpy(&length, bytes.data() + bytes.size() - 8, 4);
  return "PAR1" + bytes.substr(bytes.size() - length - 8);
}

// The fingerprints are task keys' inputs: the same file must give the same one whatever
// reads it and however the reading is done (a job directory of an earlier run stays valid).
TEST(FileFingerprint, HashesExactlyTheMagicAndFooterOrTheEdges) {
  testing::TempDir dir;
  std::string cols;  // a footer larger than the 64 KiB read at the end of the file
  for (int i = 0; i < 800; i++)
    cols += (i ? ", " : "") + std::to_string(i) + " AS column_" + std::to_string(i);
  testing::duckdb_query("COPY (SELECT range AS x FROM range(1000)) TO '" + (dir / "small.parquet") +
                        "' (FORMAT parquet)");
  testing::duckdb_query(
      "COPY (SELECT range AS x, md5(range::VARCHAR) AS s FROM range(200000)) TO '" +
      (dir / "big.parquet") + "' (FORMAT parquet)");
  testing::duckdb_query("COPY (SELECT " + cols + ") TO '" + (dir / "wide.parquet") +
                        "' (FORMAT parquet)");
  for (std::string name : {"small.parquet", "big.parquet", "wide.parquet"}) {
    std::string path = dir / name;
    std::string bytes = read_file(path);
    if (name == "big.parquet") {
      ASSERT_GT(bytes.size(), 64u * 1024);
    }
    if (name == "wide.parquet") {
      ASSERT_GT(magic_and_footer(bytes).size(), 64u * 1024);
    }
    FileFingerprint fp = file_fingerprint(path);
    EXPECT_EQ(fp.size, static_cast<int64_t>(bytes.size())) << name;
    EXPECT_EQ(fp.hash, hex(magic_and_footer(bytes))) << name;
    FileFingerprint input = input_fingerprint(path);
    EXPECT_EQ(input.size, static_cast<int64_t>(bytes.size())) << name;
    EXPECT_EQ(input.hash, hex(magic_and_footer(bytes)) + mtime_of(path)) << name;
  }
  // Other files: whole up to kWholeHashBytes (input) or 128 KiB (outputs), else their edges.
  for (int64_t size : {int64_t(100), int64_t(100000), int64_t(300000), kWholeHashBytes + 1}) {
    std::string bytes(static_cast<size_t>(size), '\0');
    for (int64_t i = 0; i < size; i++) bytes[i] = static_cast<char>((i * 7919) >> 3);
    std::string path = dir / ("other-" + std::to_string(size));
    testing::write_text(path, bytes);
    std::string edges =
        size <= 2 * 65536 ? bytes : bytes.substr(0, 65536) + bytes.substr(size - 65536);
    EXPECT_EQ(file_fingerprint(path).hash, hex(edges)) << size;
    EXPECT_EQ(input_fingerprint(path).hash,
              size <= kWholeHashBytes ? hex(bytes) : hex(edges) + mtime_of(path))
        << size;
  }
}

}  // namespace
}  // namespace smallpond
