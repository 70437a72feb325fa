#pragma once
// JobRunner: plans nodes, runs the tasks on the executors, publishes write_parquet steps when
// everything succeeded, and reports. Owns the executor processes and a local DuckDB for the
// scheduler's own reads (row counts, results). Used by the C++ API and the CLI.

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "driver/ray_launcher.h"
#include "driver/step_index.h"
#include "engine/engine.h"
#include "exec/executor_pool.h"
#include "exec/progress_snapshot.h"
#include "logical/node.h"
#include "plan/task.h"
#include "smallpond/options.h"
#include "smallpond/report.h"

namespace smallpond {

struct JobResult {
  //! The outputs of the last target, one per partition: shared with the scheduler's record,
  //! not copied (the last step may name a million files).
  std::vector<TaskOutputs> outputs;
  JobReport report;
  //! Their data sets (the first output of each), in partition order.
  std::vector<const DataSet*> partitions() const;
};

class JobRunner {
 public:
  //! options must be resolved (see resolve_options).
  explicit JobRunner(const Options& options);
  ~JobRunner();

  //! Runs everything targets need. Throws InvalidInputError (bad plan, missing input) or
  //! ExecutionError (a task failed); then nothing is published. No output may replace or
  //! hold `protected_dirs` (a pipeline file's directory; see driver/output_guard.h).
  JobResult run(const std::vector<NodePtr>& targets,
                const std::vector<std::string>& protected_dirs = {});
  //! DuckDB of this process, for reading results; created at the first call (from any thread).
  Engine& local_engine();
  const Options& options() const { return options_; }
  //! Stops the executors.
  void shutdown();
  //! Stops the running run() (from another thread): it throws ExecutionError with code
  //! Interrupted. A run that starts later is not affected.
  void interrupt() { interrupted_ = true; }
  //! How far the running job is (from any thread).
  JobProgress progress() const { return progress_.get(); }

 private:
  std::vector<int64_t> count_rows(const DataSet& ds);
  void check_queries(const TaskGraph& graph);  // syntax of every SQL step, before anything runs
  void start_executors();                      // the pool, unless it is already there
  Options options_;
  std::unique_ptr<RayLauncher> ray_;  // before the pool: goes after it
  std::unique_ptr<ExecutorPool> pool_;
  std::atomic<bool> interrupted_{false};
  ProgressSnapshot progress_;
  std::unique_ptr<Engine> engine_;
  std::once_flag engine_once_;
  int64_t jobs_run_ = 0;
  StepIndex step_index_;  // the steps of every job this runner ran (driver/step_index.h)
};

//! Fills defaults: job_dir, executors, threads and memory per task, shuffle producers.
Options resolve_options(Options options);

}  // namespace smallpond
