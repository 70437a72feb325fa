#pragma once
// Facts about the machine and the running process.

#include <cstdint>
#include <string>
#include <vector>

namespace smallpond {

int cpu_count();
int64_t physical_memory_bytes();
//! The command line this process was started with (argv), read from /proc/self/cmdline.
std::vector<std::string> own_command_line();
//! Seconds on a monotonic clock.
double monotonic_seconds();

}  // namespace smallpond
