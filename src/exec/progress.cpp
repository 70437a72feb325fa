#include "exec/progress.h"

#include <unistd.h>

#include <cstdio>

#include "common/strings.h"
#include "common/system.h"

namespace smallpond {

ProgressReporter::ProgressReporter(const TaskGraph& graph, bool enabled)
    : enabled_(enabled), tty_(::isatty(STDERR_FILENO)), start_(monotonic_seconds()) {
  for (auto& t : graph.tasks) {
    if (!t.on_executor()) continue;
    if (!counts_.count(t.step)) steps_.push_back(t.step);
    counts_[t.step].second++;
    total_++;
  }
}

void ProgressReporter::task_finished(const Task& task) {
  if (!task.on_executor()) return;
  counts_[task.step].first++;
  done_++;
}

std::string ProgressReporter::line() const {
  std::string out =
      "[smallpond] " + std::to_string(done_) + "/" + std::to_string(total_) + " tasks |";
  for (auto& s : steps_) {
    auto& c = counts_.at(s);
    out += " " + s + " " + std::to_string(c.first) + "/" + std::to_string(c.second);
  }
  return out;
}

void ProgressReporter::tick(bool force) {
  if (!enabled_ || total_ == 0) return;
  double now = monotonic_seconds();
  if (last_line_.empty() && now - start_ < 1.0) return;  // quick jobs show only the summary
  double interval = tty_ ? 0.2 : 5.0;
  if (!force && now - last_print_ < interval) return;
  std::string l = line();
  if (l == last_line_ && !force) return;
  std::string text = l + " | " + format_seconds(now - start_);
  if (tty_)
    std::fprintf(stderr, "\r%s\033[K", text.c_str());
  else
    std::fprintf(stderr, "%s\n", text.c_str());
  std::fflush(stderr);
  last_line_ = l;
  last_print_ = now;
}

void ProgressReporter::finish() {
  if (!enabled_ || total_ == 0 || last_line_.empty()) return;  // nothing shown, nothing to end
  if (tty_) {
    tick(true);
    std::fprintf(stderr, "\n");
  } else if (line() != last_line_) {
    tick(true);
  }
}

}  // namespace smallpond
