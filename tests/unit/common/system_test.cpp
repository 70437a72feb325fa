// The memory limit a cgroup sets, read from a fake /sys/fs/cgroup.
#include "common/system.h"

#include <gtest/gtest.h>

#include "io/filesystem.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

TEST(CgroupMemoryLimit, V2TakesTheTightestAncestor) {
  testing::TempDir root;
  make_dirs(root / "job/step");
  testing::write_text(root / "memory.max", "max\n");
  testing::write_text(root / "job/memory.max", "2147483648\n");
  testing::write_text(root / "job/step/memory.max", "max\n");
  EXPECT_EQ(cgroup_memory_limit("0::/job/step\n", root.path()), int64_t(2) << 30);
  EXPECT_EQ(cgroup_memory_limit("0::/\n", root.path()), -1);
}

TEST(CgroupMemoryLimit, V1MemoryController) {
  testing::TempDir root;
  make_dirs(root / "memory/docker/abc");
  testing::write_text(root / "memory/memory.limit_in_bytes", "9223372036854771712\n");
  testing::write_text(root / "memory/docker/abc/memory.limit_in_bytes", "1073741824\n");
  std::string cgroup = "5:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n0::/\n";
  EXPECT_EQ(cgroup_memory_limit(cgroup, root.path()), int64_t(1) << 30);
  EXPECT_EQ(cgroup_memory_limit("4:memory:/elsewhere\n", root.path()), -1);
}

TEST(CgroupMemoryLimit, UsableMemoryIsAtMostThePhysicalMemory) {
  EXPECT_GT(usable_memory_bytes(), 0);
  EXPECT_LE(usable_memory_bytes(), physical_memory_bytes());
}

}  // namespace
}  // namespace smallpond

namespace smallpond {
namespace {

TEST(OomKillCount, ReadsTheCounterFromItsFile) {
  EXPECT_EQ(counter_in("low 0\nhigh 0\nmax 12\noom 3\noom_kill 2\n", "oom_kill"), 2);
  EXPECT_EQ(counter_in("oom_kill_disable 0\nunder_oom 0\noom_kill 7\n", "oom_kill"), 7);
  EXPECT_EQ(counter_in("nr_free_pages 1\n", "oom_kill"), -1);
  EXPECT_GE(oom_kill_count(), -1);
}

}  // namespace
}  // namespace smallpond
