#pragma once
// The task trace of a job run: one CSV line per executor task attempt, in
// <job_dir>/log/tasks-<start time>-<pid>-<n>.csv. It says where each task ran, how it ended and how
// its output was passed on (a file in the job directory, or kept in an executor's memory), and
// when: a timeline of the run, where the gaps between tasks show what the scheduler costs.
//
//   step,task,kind,attempt,executor,status,output,rows,bytes,seconds,sent,ended,error
//   kind: what the task does (sql, hash_produce, range_sample, ...: a step's tasks of several
//   kinds share its name)
//   status: executed | reused | failed | lost     output: file | memory | (empty)
//   seconds: the attempt's time on its executor (lost: from sent to the loss)
//   sent, ended: seconds from the run's start to when the scheduler sent the attempt to its
//   executor and when it heard the end (empty for reused outputs)

#include <cstdint>
#include <cstdio>
#include <string>

namespace smallpond {

class TaskTrace {
 public:
  //! Opens a new trace in log_dir (created when missing). A trace that cannot be written is
  //! reported once on stderr and then not kept: it never fails a job.
  explicit TaskTrace(const std::string& log_dir);
  ~TaskTrace();
  TaskTrace(const TaskTrace&) = delete;
  TaskTrace& operator=(const TaskTrace&) = delete;

  struct Entry {
    std::string step;
    std::string task;       //!< "step[partition]"
    const char* kind = "";  //!< plan/task.h's task_kind_name
    int attempt = 0;
    int executor = -1;  //!< -1: none (reused)
    const char* status = "executed";
    const char* output = "";
    int64_t rows = -1;
    int64_t bytes = 0;  //!< in-memory outputs: their size
    double seconds = 0;
    double sent = -1;   //!< seconds from the run's start; < 0: none (reused)
    double ended = -1;  //!< seconds from the run's start; < 0: none (reused)
    std::string error;
  };
  void record(const Entry& e);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace smallpond
