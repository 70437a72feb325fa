#pragma once
// Turns a task into what an executor is sent: its inputs shaped as the task kind reads them
// (one data set per input, or all inputs concatenated), where its output goes in the job
// directory (final directory found by key, staging per attempt, checkpoints of stream
// functions), its limits and the in-memory threshold. In-memory inputs (attachments) are the
// scheduler's to add: they depend on which executor runs it.

#include <vector>

#include "exec/protocol.h"
#include "exec/scheduler_options.h"
#include "io/job_dir.h"
#include "plan/task.h"

namespace smallpond {

class AssignmentBuilder {
 public:
  AssignmentBuilder(const JobDir& job_dir, const SchedulerOptions& options)
      : job_dir_(job_dir), options_(options) {}
  //! inputs: each dependency's output, in the order of task.deps. memory_factor multiplies the
  //! memory limit (doubled after running out of memory); may_keep_in_memory: no sink or
  //! result reads the output, so a small one may stay in the executor's memory.
  TaskAssignment build(const Task& task, int attempt, const std::vector<DataSet>& inputs,
                       int memory_factor, bool may_keep_in_memory) const;

 private:
  const JobDir& job_dir_;
  const SchedulerOptions& options_;
};

}  // namespace smallpond
