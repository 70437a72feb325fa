#include "common/system.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

namespace smallpond {

int cpu_count() {
  // Asked once: glibc reads /sys/devices/system/cpu/online at every call, and every task asks
  // (its input check decides whether to split over threads).
  static const int count = [] {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = std::thread::hardware_concurrency();
    return n < 1 ? 1 : static_cast<int>(n);
  }();
  return count;
}

int64_t physical_memory_bytes() {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page <= 0) return int64_t(4) << 30;
  return int64_t(pages) * page;
}

namespace {

// A limit file's value; -1 for "max", a missing file or a value meaning no limit.
int64_t read_limit(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text == "max") return -1;
  try {
    long long v = std::stoll(text);
    return v <= 0 || v >= (int64_t(1) << 60) ? -1 : v;  // v1 says "none" with ~2^63
  } catch (const std::exception&) {
    return -1;
  }
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The memory cgroups of this process, as directories under cgroup_root: from the lines of
// /proc/self/cgroup, "<id>:<controllers>:<path>", v2's "0::<path>" (under the root, or
// root/unified in hybrid layouts) and v1's memory controller "<id>:memory:<path>".
struct MemoryCgroup {
  std::string dir;
  bool v2;
};
std::vector<MemoryCgroup> memory_cgroups(const std::string& proc_self_cgroup,
                                         const std::string& cgroup_root) {
  std::vector<MemoryCgroup> out;
  std::istringstream lines(proc_self_cgroup);
  std::string line;
  while (std::getline(lines, line)) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1), rel = line.substr(b + 1);
    if (rel == "/") rel.clear();
    if (controllers.empty()) {
      out.push_back({cgroup_root + rel, true});
      out.push_back({cgroup_root + "/unified" + rel, true});
    } else if (("," + controllers + ",").find(",memory,") != std::string::npos) {
      out.push_back({cgroup_root + "/memory" + rel, false});
    }
  }
  return out;
}

}  // namespace

int64_t cgroup_memory_limit(const std::string& proc_self_cgroup, const std::string& cgroup_root) {
  int64_t best = -1;
  for (auto& cgroup : memory_cgroups(proc_self_cgroup, cgroup_root)) {
    // The process's cgroup and each ancestor up to the mount: the tightest one applies. In a
    // container the mount may be the container's own root, so its root is read too.
    const char* file = cgroup.v2 ? "memory.max" : "memory.limit_in_bytes";
    std::string path = cgroup.dir;
    while (true) {
      int64_t v = read_limit(path + "/" + file);
      if (v > 0 && (best < 0 || v < best)) best = v;
      if (path.size() <= cgroup_root.size()) break;
      path = path.substr(0, path.rfind('/'));
    }
  }
  return best;
}

int64_t usable_memory_bytes() {
  int64_t physical = physical_memory_bytes();
  int64_t limit = cgroup_memory_limit(slurp("/proc/self/cgroup"), "/sys/fs/cgroup");
  return limit > 0 && limit < physical ? limit : physical;
}

int64_t counter_in(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  std::string name;
  long long value = 0;
  while (lines >> name >> value)
    if (name == key) return value;
  return -1;
}

int64_t oom_kill_count() {
  // Where the counter is does not change while the process runs: found once (the scheduler
  // asks at every task it starts).
  static const std::pair<std::string, std::string> source = [] {
    for (auto& cgroup : memory_cgroups(slurp("/proc/self/cgroup"), "/sys/fs/cgroup")) {
      std::string file = cgroup.dir + (cgroup.v2 ? "/memory.events" : "/memory.oom_control");
      if (counter_in(slurp(file), "oom_kill") >= 0)
        return std::make_pair(file, std::string("oom_kill"));
    }
    return std::make_pair(std::string("/proc/vmstat"), std::string("oom_kill"));
  }();
  return counter_in(slurp(source.first), source.second);
}

std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  std::string cur;
  for (char c : all) {
    if (c == '\0') {
      args.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) args.push_back(cur);
  return args;
}

double monotonic_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace smallpond
