#pragma once
// The task trace of a job run: one CSV line per executor task attempt, in
// <job_dir>/log/tasks-<start time>-<pid>-<n>.csv. It says where each task ran, how it ended and how
// its output was passed on (a file in the job directory, or kept in an executor's memory).
//
//   step,task,attempt,executor,status,output,rows,bytes,seconds,error
//   status: executed | reused | failed | lost     output: file | memory | (empty)

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
    std::string task;  //!< "step[partition]"
    int attempt = 0;
    int executor = -1;  //!< -1: none (reused)
    const char* status = "executed";
    const char* output = "";
    int64_t rows = -1;
    int64_t bytes = 0;  //!< in-memory outputs: their size
    double seconds = 0;
    std::string error;
  };
  void record(const Entry& e);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
};

}  // namespace smallpond
