// What may become a job directory, and what its scratch clean-up removes.
#include "io/job_dir.h"

#include <gtest/gtest.h>

#include "io/filesystem.h"
#include "smallpond/error.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

TEST(JobDir, RefusesADirectoryOfOtherFilesAndTouchesNothing) {
  testing::TempDir dir;
  testing::write_text(dir / "notes.txt", "mine");
  make_dirs(dir / "staging");
  testing::write_text(dir / "staging/draft.txt", "mine too");
  try {
    JobDir job(dir.path());
    FAIL() << "accepted a directory of other files";
  } catch (const InvalidInputError& e) {
    EXPECT_NE(std::string(e.what()).find("not a smallpond job directory"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(list_files_recursive(dir.path()),
            (std::vector<std::string>{"notes.txt", "staging/draft.txt"}));
}

TEST(JobDir, RefusesAFile) {
  testing::TempDir dir;
  testing::write_text(dir / "file", "x");
  EXPECT_THROW(JobDir::prepare(dir / "file"), InvalidInputError);
}

TEST(JobDir, AcceptsANewAnEmptyAMarkedAndAnOlderJobDirectory) {
  testing::TempDir dir;
  { JobDir job(dir / "new"); }
  make_dirs(dir / "empty");
  { JobDir job(dir / "empty"); }
  testing::write_text(dir / "new/data/x", "kept");
  { JobDir job(dir / "new"); }  // marked by the first run
  EXPECT_EQ(read_file(dir / "new/data/x"), "kept");
  for (const char* sub : {"old/data", "old/staging", "old/tmp"}) make_dirs(dir / sub);
  testing::write_text(dir / "old/.lock", "");
  { JobDir job(dir / "old"); }
  EXPECT_TRUE(path_exists(dir / "old/.smallpond-job"));
}

TEST(JobDir, ClearScratchKeepsLiveExecutorsSpillDirectories) {
  testing::TempDir dir;
  JobDir job(dir.path());
  std::string mine = JobDir::executor_tmp_dir(job.tmp_dir());  // locked by this process
  EXPECT_TRUE(path_exists(mine + "/.alive"));
  make_dirs(job.tmp_dir() + "/old-task-dir");
  std::string ended = job.tmp_dir() + "/executor-1-0123456789abcdef";  // its lock is free
  make_dirs(ended);
  testing::write_text(ended + "/.alive", "");
  make_dirs(job.root() + "/staging/attempt");
  job.clear_scratch();
  EXPECT_TRUE(path_exists(mine));
  EXPECT_FALSE(path_exists(ended));
  EXPECT_FALSE(path_exists(job.tmp_dir() + "/old-task-dir"));
  EXPECT_FALSE(path_exists(job.root() + "/staging/attempt"));
}

}  // namespace
}  // namespace smallpond
