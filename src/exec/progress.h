#pragma once
// Progress of a running job on stderr: tasks done / total, per step. On a terminal the line is
// redrawn in place; otherwise a line is printed at most every few seconds when something moved.

#include <map>
#include <string>
#include <vector>

#include "plan/task.h"

namespace smallpond {

class ProgressReporter {
 public:
  ProgressReporter(const TaskGraph& graph, bool enabled);
  void task_finished(const Task& task);
  //! Prints when due (or always with force).
  void tick(bool force = false);
  //! Ends the progress display.
  void finish();

 private:
  std::string line() const;
  bool enabled_;
  bool tty_;
  std::vector<std::string> steps_;
  std::map<std::string, std::pair<int, int>> counts_;  // step -> (done, total)
  int done_ = 0, total_ = 0;
  double start_, last_print_ = 0;
  std::string last_line_;
};

}  // namespace smallpond
