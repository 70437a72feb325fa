#pragma once
// What happens after a failed attempt: wait for a speculative twin, retry (with more memory,
// alone), or stop the job. Decided from the failure's kind (is_retryable of its error code),
// the task's attempts so far and the job's failure budget; the scheduler carries it out.

#include <string>

namespace smallpond {

struct FailedAttempt {
  std::string task_label;
  std::string step;
  std::string error;
  bool retryable = true;       //!< is_retryable(code): the error may pass
  bool out_of_memory = false;  //!< the engine or the kernel ran out of memory
  bool oom_killed = false;     //!< the kernel's OOM killer ended the executor (machine full)
  int attempts = 0;            //!< attempts of the task started so far
  //! Of them, attempts lost with the executor node they ran on (its connection closed: the
  //! machine, or the cluster manager's process, went away). They say nothing about the task
  //! and do not count against max_retry, up to kNodeLossAllowance of them (a task that takes
  //! down every node it runs on must not retry for ever).
  int node_losses = 0;
  bool twin_running = false;  //!< a speculative twin of the task is still running
};

struct RetryDecision {
  enum class Action {
    WaitForTwin,  //!< the other attempt may still succeed: nothing to do now
    Retry,        //!< run it again (first in line)
    Fail,         //!< stop the job with `error`
  };
  Action action = Action::Retry;
  bool double_memory = false;  //!< the next attempt gets twice the memory limit
  bool run_alone = false;      //!< no other task may run beside the next attempt
  std::string error;           //!< Fail: the job's error message
};

class RetryPolicy {
 public:
  static constexpr int kNodeLossAllowance = 8;
  //! max_retry: retries per task; max_fail: failed attempts the job tolerates (-1: no limit).
  RetryPolicy(int max_retry, int max_fail) : max_retry_(max_retry), max_fail_(max_fail) {}
  //! Counts the failure and decides.
  RetryDecision decide(const FailedAttempt& failure);
  int failures() const { return failures_; }

 private:
  int max_retry_;
  int max_fail_;
  int failures_ = 0;
};

}  // namespace smallpond
