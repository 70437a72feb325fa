#pragma once
// One reporting interface for everything a running job tells the outside: each attempt's end
// (the task trace), each finished task (progress), notices worth a line (a retry, a
// recomputation, a second attempt of a straggler). The scheduler writes nothing itself; the
// standard observer prints progress and notices on stderr and keeps the CSV trace, and tests
// or front ends (a progress bar in a notebook) can give their own.

#include <memory>
#include <string>

#include "exec/task_trace.h"
#include "plan/task.h"
#include "smallpond/report.h"

namespace smallpond {

class ProgressSnapshot;

class JobObserver {
 public:
  virtual ~JobObserver() = default;
  //! An attempt ended (executed, reused, failed, lost).
  virtual void attempt_ended(const TaskTrace::Entry& entry) = 0;
  //! An executor task is done (run or reused).
  virtual void task_finished(const Task& task) = 0;
  //! Something the user should hear about, as one line.
  virtual void notice(const std::string& message) = 0;
  //! Called often while the job runs (a chance to redraw).
  virtual void tick() = 0;
  //! The run ended (successfully or not).
  virtual void finish() = 0;
  //! The job succeeded and its outputs are published: its report (job_dir: where reused outputs
  //! came from).
  virtual void job_succeeded(const JobReport& report, const std::string& job_dir) = 0;
};

//! Progress and notices on stderr when `progress`, and the task trace in log_dir.
//! With a snapshot, the progress is also kept there for other threads to read.
std::unique_ptr<JobObserver> standard_observer(const TaskGraph& graph, bool progress,
                                               const std::string& log_dir,
                                               ProgressSnapshot* snapshot = nullptr);

}  // namespace smallpond
