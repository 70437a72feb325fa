#pragma once
// The progress of the running job as a value another thread can read at any time
// (Session::progress): a front end draws it its own way (a notebook's progress bar).

#include <map>
#include <mutex>
#include <string>

#include "plan/task.h"
#include "smallpond/report.h"

namespace smallpond {

class ProgressSnapshot {
 public:
  //! A job of these tasks starts.
  void start(const TaskGraph& graph);
  void task_finished(const Task& task);
  //! The job ended (successfully or not).
  void finish();
  JobProgress get() const;

 private:
  mutable std::mutex mutex_;
  JobProgress progress_;
  std::map<std::string, size_t> step_index_;
  double start_ = 0;
};

}  // namespace smallpond
