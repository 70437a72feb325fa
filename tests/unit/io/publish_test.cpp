// Publishing a directory in place of another, and finishing interrupted publishes.
#include "io/publish.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "io/filesystem.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

std::string staged_with(const std::string& target, const std::string& content) {
  std::string staged = staging_path_for(target);
  make_dirs(staged);
  testing::write_text(staged + "/file", content);
  return staged;
}

// Entries of dir other than target's own name.
std::vector<std::string> siblings(const std::string& dir, const std::string& name) {
  std::vector<std::string> out;
  for (auto& f : list_files_recursive(dir))
    if (f.compare(0, name.size() + 1, name + "/") != 0) out.push_back(f);
  return out;
}

class Publish : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) setenv("SMALLPOND_NO_RENAME_EXCHANGE", "1", 1);
  }
  void TearDown() override { unsetenv("SMALLPOND_NO_RENAME_EXCHANGE"); }
  testing::TempDir dir;
};

TEST_P(Publish, ReplacesTheTargetAndLeavesNothingBeside) {
  std::string target = dir / "out";
  replace_directory(staged_with(target, "one"), target);
  EXPECT_EQ(read_file(target + "/file"), "one");
  replace_directory(staged_with(target, "two"), target);
  EXPECT_EQ(read_file(target + "/file"), "two");
  EXPECT_EQ(siblings(dir.path(), "out"), std::vector<std::string>{});
}

TEST_P(Publish, ReplacesAFile) {
  std::string target = dir / "out";
  testing::write_text(target, "a file");
  replace_directory(staged_with(target, "new"), target);
  EXPECT_EQ(read_file(target + "/file"), "new");
}

// What the check refuses, when asked right before the swap, stays: the target as it was, and
// the staged directory for the caller to remove.
TEST_P(Publish, AReplaceCheckThatRefusesChangesNothing) {
  std::string target = dir / "out";
  replace_directory(staged_with(target, "one"), target);
  std::string staged = staged_with(target, "two");
  testing::write_text(target + "/mine.txt", "written while the new output was built");
  auto added = [](const std::string& path) {
    return path_exists(path + "/mine.txt") ? std::string("it holds mine.txt") : std::string();
  };
  try {
    replace_directory(staged, target, added);
    FAIL() << "replaced a target the check refused";
  } catch (const ReplaceRefused& e) {
    EXPECT_STREQ(e.what(), "it holds mine.txt");
  }
  EXPECT_EQ(read_file(target + "/file"), "one");
  EXPECT_EQ(read_file(target + "/mine.txt"), "written while the new output was built");
  EXPECT_EQ(read_file(staged + "/file"), "two");
  // Asked about the target itself: without the file, the swap goes ahead.
  remove_all(target + "/mine.txt");
  replace_directory(staged, target, added);
  EXPECT_EQ(read_file(target + "/file"), "two");
  EXPECT_EQ(siblings(dir.path(), "out"), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(ExchangeOrFallback, Publish, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Fallback" : "Exchange"; });

// Names a user may give a copy of an output, dates and numbers included, are never taken for
// an output smallpond moved aside: none is renamed to the target, none removed.
TEST(RecoverPublish, NeverTakesAUsersDirectoryForAMovedAsideOutput) {
  for (bool target_exists : {false, true}) {
    testing::TempDir dir;
    if (target_exists) {
      make_dirs(dir / "out");
      testing::write_text(dir / "out/file", "current");
    }
    std::vector<std::string> names = {
        "out.old-v1",         "out.old-2024-06",   "out.old-1-2",          "out.staging-1-2",
        "out.old-20240601-1", "out.smallpond-old", "out.smallpond-old-1-x"};
    for (auto& name : names) {
      make_dirs(dir / name);
      testing::write_text(dir / (name + "/file"), "the user's " + name);
    }
    recover_publish(dir / "out");
    recover_publish(dir / "out");
    EXPECT_EQ(path_exists(dir / "out"), target_exists);
    for (auto& name : names) EXPECT_EQ(read_file(dir / (name + "/file")), "the user's " + name);
  }
}

TEST(RecoverPublish, RestoresAnOutputMovedAsideAndRemovesLeftovers) {
  testing::TempDir dir;
  std::string target = dir / "out";
  // A crash between the two renames of the fallback: the old output is only in .old-, the
  // complete new one in .staging-.
  make_dirs(target + ".smallpond-old-1-1");
  testing::write_text(target + ".smallpond-old-1-1/file", "old");
  make_dirs(target + ".smallpond-staging-1-2");
  testing::write_text(target + ".smallpond-staging-1-2/file", "new");
  recover_publish(target);
  EXPECT_EQ(read_file(target + "/file"), "old");
  EXPECT_EQ(siblings(dir.path(), "out"), std::vector<std::string>{});
}

TEST(RecoverPublish, KeepsAPublishedTargetAndOtherFiles) {
  testing::TempDir dir;
  std::string target = dir / "out";
  make_dirs(target);
  testing::write_text(target + "/file", "current");
  make_dirs(target + ".smallpond-staging-1-2");  // after an exchange: the old content
  testing::write_text(target + ".smallpond-staging-1-2/file", "old");
  testing::write_text(dir / "out.txt", "the user's");
  testing::write_text(dir / "output.old-notes", "the user's too");
  make_dirs(dir / "out.old-v1");  // named like a leftover, but not by smallpond
  testing::write_text(dir / "out.old-v1/file", "an archived output");
  make_dirs(dir / "out.staging-area");
  testing::write_text(dir / "out.staging-area/file", "the user's");
  recover_publish(target);
  EXPECT_EQ(read_file(target + "/file"), "current");
  EXPECT_EQ(siblings(dir.path(), "out"),
            (std::vector<std::string>{"out.old-v1/file", "out.staging-area/file", "out.txt",
                                      "output.old-notes"}));
}

}  // namespace
}  // namespace smallpond
