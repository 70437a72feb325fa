#include "exec/retry_policy.h"

#include <algorithm>

namespace smallpond {

RetryDecision RetryPolicy::decide(const FailedAttempt& f) {
  failures_++;
  RetryDecision d;
  if (f.twin_running && f.retryable) {
    d.action = RetryDecision::Action::WaitForTwin;
    return d;
  }
  int counted = f.attempts - std::min(f.node_losses, kNodeLossAllowance);
  if (!f.retryable || counted > max_retry_) {
    std::string why = f.retryable ? "after " + std::to_string(f.attempts) +
                                        (f.attempts == 1 ? " attempt" : " attempts")
                                  : "(not retried: this error does not go away on retry)";
    d.action = RetryDecision::Action::Fail;
    d.error = "step '" + f.step + "' failed " + why + ": " + f.error;
    return d;
  }
  if (max_fail_ >= 0 && failures_ > max_fail_) {
    d.action = RetryDecision::Action::Fail;
    d.error = "step '" + f.step + "' failed and the job reached its limit of " +
              std::to_string(max_fail_) + " failed attempts: " + f.error;
    return d;
  }
  // Out of memory: the next attempt gets twice the memory (DuckDB spills what does not fit);
  // killed by the kernel, it also runs alone (the executors together filled the machine).
  d.double_memory = f.out_of_memory;
  d.run_alone = f.oom_killed;
  return d;
}

}  // namespace smallpond
