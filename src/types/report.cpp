#include "smallpond/report.h"

#include <cstdio>

#include "smallpond/error.h"

namespace smallpond {

int JobReport::executed_tasks() const {
  int n = 0;
  for (auto& s : steps) n += s.executed;
  return n;
}

int JobReport::reused_tasks() const {
  int n = 0;
  for (auto& s : steps) n += s.reused;
  return n;
}

const StepReport& JobReport::step(const std::string& name) const {
  for (auto& s : steps)
    if (s.step == name) return s;
  throw InvalidInputError("the job has no step '" + name + "'");
}

std::string JobReport::to_string() const {
  size_t w = 4;
  for (auto& s : steps) w = std::max(w, s.step.size());
  char buf[256];
  std::string out;
  std::snprintf(buf, sizeof buf, "%-*s %6s %6s %6s %7s %6s %14s %9s %8s\n", int(w), "step", "tasks",
                "ran", "reused", "retries", "in_mem", "rows", "seconds", "max/min");
  out += buf;
  for (auto& s : steps) {
    std::string rows = s.rows < 0 ? "-" : std::to_string(s.rows);
    // How uneven the output partitions are: largest / smallest rows.
    std::string spread = "-";
    if (s.tasks > 1 && s.smallest_task_rows > 0) {
      char ratio[32];
      std::snprintf(ratio, sizeof ratio, "%.2f",
                    double(s.largest_task_rows) / double(s.smallest_task_rows));
      spread = ratio;
    } else if (s.tasks > 1 && s.largest_task_rows > 0) {
      spread = "inf";  // some task wrote nothing
    }
    std::snprintf(buf, sizeof buf, "%-*s %6d %6d %6d %7d %6d %14s %9.2f %8s\n", int(w),
                  s.step.c_str(), s.tasks, s.executed, s.reused, s.retries, s.in_memory,
                  rows.c_str(), s.seconds, spread.c_str());
    out += buf;
  }
  std::snprintf(buf, sizeof buf, "total: %d tasks ran, %d reused, %.2fs\n", executed_tasks(),
                reused_tasks(), seconds);
  out += buf;
  if (memory_bytes_through_driver > 0 || memory_tables_by_reference > 0) {
    std::snprintf(buf, sizeof buf,
                  "in-memory outputs moved between executors: %lld bytes through the driver, "
                  "%d tables by object reference\n",
                  static_cast<long long>(memory_bytes_through_driver), memory_tables_by_reference);
    out += buf;
  }
  return out;
}

}  // namespace smallpond
