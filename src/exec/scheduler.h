#pragma once
// The scheduler: runs a TaskGraph in dependency order on an ExecutorPool.
//
// - Metadata tasks run here, as soon as their inputs are known.
// - An executor task whose published output (with the same key) is in the job directory is
//   not run again (resume).
// - A failed attempt is retried, on another executor where possible, up to max_retry times,
//   unless the error cannot go away (bad SQL, corrupt input). A lost executor (crash, kill)
//   fails its attempt and is replaced.
// - In-memory passing: a SQL task's output up to memory_output_bytes stays in its executor's
//   memory (unless a sink or the caller reads it). A consumer runs on the owner where it can;
//   elsewhere the scheduler fetches the table from its owner and attaches it to the task. When
//   every consumer is done the table is dropped. A lost executor's tables are recomputed from
//   their inputs (lineage).
// - Out of memory: an attempt that DuckDB stopped for lack of memory is retried with twice the
//   memory limit (it spills less). One whose executor the kernel's OOM killer ended (the
//   machine or container was full: the executors together used too much) is retried with
//   twice the limit too, but alone: no other task starts until it has finished.
// - Speculation: a task running far longer than its step's median (a straggler) is started
//   again on an idle executor; the first attempt to finish wins, the other is cancelled.
// - The first task that cannot succeed stops the job: ExecutionError names the step, the task
//   and the error.

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "engine/engine.h"
#include "exec/assignment_builder.h"
#include "exec/executor_pool.h"
#include "exec/job_observer.h"
#include "exec/memory_ledger.h"
#include "exec/metadata_tasks.h"
#include "exec/retry_policy.h"
#include "exec/scheduler_options.h"
#include "exec/speculation_policy.h"
#include "exec/task_manifest.h"
#include "io/job_dir.h"
#include "plan/task.h"
#include "smallpond/report.h"

namespace smallpond {

class Scheduler {
 public:
  Scheduler(const TaskGraph& graph, ExecutorPool& pool, const JobDir& job_dir,
            RowCounter count_rows, SchedulerOptions options, JobObserver* observer = nullptr);
  //! Runs every task. Returns the outputs of every task (by id); fills report.
  std::vector<TaskOutputs> run(JobReport& report);

 private:
  enum class State { Waiting, Ready, Running, Done };
  struct TaskState {
    State state = State::Waiting;
    int missing_deps = 0;
    int attempts = 0;        // attempts started
    int node_losses = 0;     // attempts lost with their executor node (FailedAttempt)
    int running = 0;         // attempts running now (2 while speculating)
    int memory_factor = 1;   // doubled after an out-of-memory failure
    bool exclusive = false;  // runs alone: its executor was OOM-killed (the machine was full)
    bool speculated = false;
    std::vector<int> failed_on;
    double started = 0;     // first attempt's start
    double last_start = 0;  // latest attempt's start
  };
  struct Running {  // what an executor is doing
    int task = -1;
    int attempt = 0;
    double sent = 0;  // monotonic seconds when the attempt was sent
  };

  void handle(ExecutorEvent& event);
  void handle_reply(int executor, ExportedMessage& message);
  void plan_needed();  // which tasks this run must compute, given what the job directory holds
  void mark_needed();  // needed_ from the outputs and the manifests now taken for reuse
  std::vector<std::string> memory_inputs(int task) const;  // in-memory tables it reads
  void release_consumer(int task);  // a consumer of in-memory outputs is done
  void send_drop(const MemoryLedger::Drop& drop);
  void lose_memory(int executor);  // its in-memory outputs are gone: recompute what is needed
  void invalidate(int task);       // recompute a finished task
  void speculate();
  void start_attempt(int task, int executor);
  void make_ready(int task);
  void complete(int task, TaskOutputs outputs, int64_t rows, bool reused);
  void fail_attempt(int task, int executor, const std::string& error, bool retryable,
                    bool out_of_memory = false, bool oom_killed = false, bool node_lost = false);
  bool running_exclusive() const;  // a task that must run alone is running
  bool dispatch_one();             // starts one ready executor task; false when none could start
  int pick_executor(const TaskState& s, int avoid = -1) const;
  TaskAssignment assignment(const Task& task, int attempt, int executor) const;  // + memory
  DataSet input_of(int dep) const;     // dep's output, with a sibling's columns if it has none
  bool awaits_schema(int task) const;  // an input has no columns yet, but a sibling may lend them
  StepReport& step_report(const std::string& step);

  const TaskGraph& graph_;
  ExecutorPool& pool_;
  const JobDir& job_dir_;
  RowCounter count_rows_;
  SchedulerOptions options_;
  JobObserver* observer_;  // where progress, the trace and notices go (never stderr directly)

  std::vector<TaskState> states_;
  std::vector<TaskOutputs> outputs_;
  const TaskOutputs& output(int task) const;  // none (empty) when not known
  std::vector<std::vector<int>> users_;       // task -> tasks that depend on it
  std::deque<int> ready_;  // executor tasks waiting for an executor, FIFO (retries in front)
  std::vector<Running> running_on_;  // by executor
  AssignmentBuilder assignments_;
  SpeculationPolicy speculation_;
  RetryPolicy retry_policy_;
  int done_ = 0;
  double last_speculation_ = 0;  // monotonic seconds of the last look for stragglers
  int exclusive_tasks_ = 0;      // tasks marked exclusive (rare): only then is it checked
  std::map<std::string, int> unfinished_in_step_;  // step -> its tasks not done
  std::map<std::string, int> schema_donor_;        // step -> a done task whose output has columns

  std::vector<bool> is_partition_;  // its output is one of its step's output partitions
  std::vector<bool> needed_;        // some result depends on running (or reusing) it
  std::vector<std::optional<TaskManifest>> manifests_;  // published outputs found at the start
  MemoryLedger ledger_;        // in-memory outputs: owners, consumers, fetches, lineage
  std::vector<int> fetching_;  // tasks waiting for fetched tables
  JobReport* report_ = nullptr;
  std::unique_ptr<JobObserver> own_observer_;  // the standard one, when none was given
  // An attempt's line in the task trace; r.sent == 0: none ran (a reused output).
  void trace(const Running& r, int executor, const char* status, const char* output, int64_t rows,
             int64_t bytes, double seconds, const std::string& error = "");
  double run_start_ = 0;                               // monotonic seconds when run() began
  std::vector<std::pair<double, double>> step_times_;  // per report step: first start, last end
};

}  // namespace smallpond
