// File system helpers: listing a pattern's files, and atomic writes made piece by piece.
#include "io/filesystem.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "io/durable.h"
#include "smallpond/error.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

TEST(Filesystem, PatternsListRegularFilesSorted) {
  testing::TempDir dir;
  make_dirs(dir / "d1");
  make_dirs(dir / "d0.parquet");  // a directory that matches: not listed
  testing::write_text(dir / "d1/b.parquet", "bb");
  testing::write_text(dir / "d1/a.parquet", "a");
  testing::write_text(dir / "d1/c.csv", "c");
  std::vector<std::string> paths;
  for (auto& f : expand_path(dir / "*/*.parquet", ".parquet")) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{dir / "d1/a.parquet", dir / "d1/b.parquet"}));
  auto listed = expand_path(dir / "d1", ".parquet");  // a directory: its files of the extension
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1].path, dir / "d1/b.parquet");
  EXPECT_EQ(listed[1].size, 2);
  EXPECT_GT(listed[1].mtime_ns, 0);
  EXPECT_TRUE(expand_path(dir / "none-*.parquet", ".parquet").empty());
}

TEST(Filesystem, AtomicWritesInPiecesAndFailuresLeaveTheOldFile) {
  testing::TempDir dir;
  std::string path = dir / "index.json";
  write_file_atomic(path, [](const FileWriter& write) {
    write("{\"a\":");
    write("");
    write("[1,2]}");
  });
  EXPECT_EQ(read_file(path), "{\"a\":[1,2]}");
  auto failing = [](const FileWriter& write) {
    write("half of a new");
    throw std::runtime_error("the producer failed");
  };
  EXPECT_THROW(write_file_atomic(path, failing), std::runtime_error);
  auto failing_error = [](const FileWriter& write) {
    write("half");
    throw InvalidInputError("named");
  };
  EXPECT_THROW(write_file_atomic(path, failing_error), InvalidInputError);
  EXPECT_EQ(read_file(path), "{\"a\":[1,2]}");
  EXPECT_EQ(list_files_recursive(dir.path()), std::vector<std::string>{"index.json"})
      << "no temporary file is left";
}

// The directories above an output are made (and each flushed into its parent) as needed; one
// that cannot be made is named.
TEST(MakeDirsDurable, MakesWhatIsMissingAndNamesWhatCannotBe) {
  testing::TempDir dir;
  make_dirs_durable(dir / "a/b/c");
  EXPECT_TRUE(path_exists(dir / "a/b/c"));
  make_dirs_durable(dir / "a/b/c");  // all there: nothing to do
  make_dirs_durable(dir / "a/b/d");
  EXPECT_TRUE(path_exists(dir / "a/b/d"));
  testing::write_text(dir / "file", "x");
  try {
    make_dirs_durable(dir / "file/sub");
    FAIL() << "made a directory under a file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir / "file"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace smallpond
