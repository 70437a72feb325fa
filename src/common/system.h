#pragma once
// Facts about the machine and the running process.

#include <cstdint>
#include <string>
#include <vector>

namespace smallpond {

int cpu_count();
int64_t physical_memory_bytes();
//! The memory this process may use: the physical memory, or less where a cgroup (v1 or v2,
//! the process's own or an ancestor) limits it, as in a container or a Slurm job.
int64_t usable_memory_bytes();
//! The tightest cgroup memory limit along the paths that proc_self_cgroup (the text of
//! /proc/self/cgroup) names, read under cgroup_root (/sys/fs/cgroup); -1 when none.
int64_t cgroup_memory_limit(const std::string& proc_self_cgroup, const std::string& cgroup_root);
//! How many processes the kernel's out-of-memory killer has ended so far, counted where this
//! process can see it: its cgroup's (v2 memory.events, v1 memory.oom_control), else the
//! system's (/proc/vmstat); -1 when none of them is readable. Compared before and after a
//! process died of SIGKILL, it tells an OOM kill from another kill.
int64_t oom_kill_count();
//! The counter named `key` in a "key value" per line text (memory.events, vmstat); -1 if absent.
int64_t counter_in(const std::string& text, const std::string& key);
//! The command line this process was started with (argv), read from /proc/self/cmdline.
std::vector<std::string> own_command_line();
//! Seconds on a monotonic clock.
double monotonic_seconds();

}  // namespace smallpond
