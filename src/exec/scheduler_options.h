#pragma once
// What a Scheduler is told about the run (see exec/scheduler.h).

#include <atomic>
#include <cstdint>

#include "engine/engine.h"

namespace smallpond {

struct SchedulerOptions {
  int64_t job = 0;  //!< distinguishes runs that share a pool
  int max_retry = 3;
  int max_fail = -1;  //!< failed attempts tolerated in the job; -1: no limit
  double fault_probability = 0;
  //! Flush every task output to disk when it is published (Options::flush_task_outputs).
  bool flush_task_outputs = false;
  int64_t memory_output_bytes = 0;  //!< in-memory passing threshold; 0: every output is a file
  //! Straggler: elapsed > max(ratio × median, median + min_seconds) of its step's finished
  //! tasks (at least 3 of them).
  bool speculation = true;
  double speculation_ratio = 2.0;
  double speculation_min_seconds = 30;
  EngineLimits limits;  //!< per task; temp_directory is set per executor
  bool progress = true;
  //! Set from another thread to stop the run: it throws ExecutionError (code Interrupted)
  //! within a fraction of a second; what finished is kept.
  const std::atomic<bool>* interrupted = nullptr;
};

}  // namespace smallpond
