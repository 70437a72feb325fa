#pragma once
//! What one job run did, step by step: returned by actions and printed as the closing summary.

#include <cstdint>
#include <string>
#include <vector>

namespace smallpond {

struct StepReport {
  std::string step;     //!< step (node) name
  int tasks = 0;        //!< tasks of this step that ran on executors or were reused
  int executed = 0;     //!< tasks that ran in this job run
  int reused = 0;       //!< tasks skipped because the job directory held their output
  int retries = 0;      //!< failed attempts that were retried
  int speculative = 0;  //!< second attempts started for stragglers
  int in_memory = 0;    //!< outputs passed in memory instead of files
  int64_t rows = -1;    //!< rows written by the executed and reused tasks; -1 when unknown
  //! Rows of the step's largest and smallest output partition written by a task (-1 when
  //! unknown): how even its partitions are (a sort's ranges, a query over a shuffle).
  int64_t largest_task_rows = -1;
  int64_t smallest_task_rows = -1;
  double seconds = 0;  //!< wall time from the step's first task start to its last task end
};

//! How far the running action is (Session::progress), step by step.
struct StepProgress {
  std::string step;
  int done = 0;   //!< its tasks finished (run or reused)
  int total = 0;  //!< its tasks on executors
};
struct JobProgress {
  bool running = false;  //!< an action's job is running now
  int tasks_done = 0;
  int tasks_total = 0;
  double seconds = 0;               //!< since the job started
  std::vector<StepProgress> steps;  //!< in plan order
};

struct JobReport {
  std::vector<StepReport> steps;       //!< in plan order
  double seconds = 0;                  //!< wall time of the whole run
  std::vector<std::string> published;  //!< paths its write_parquet steps published, in order
  //! In-memory outputs read on another executor than the one holding them: the bytes that went
  //! through the driver on the way, and the tables handed over as a reference into a cluster's
  //! object store instead (Ray: only the reference passes through the driver).
  int64_t memory_bytes_through_driver = 0;
  int memory_tables_by_reference = 0;

  int executed_tasks() const;
  int reused_tasks() const;
  //! The report of one step; throws InvalidInputError when there is no such step.
  const StepReport& step(const std::string& name) const;
  //! A readable table, one line per step.
  std::string to_string() const;
};

}  // namespace smallpond
