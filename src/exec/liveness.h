#pragma once
// What every pool does with what its executors send, in one place: a message is a sign of life
// (heartbeats are nothing else), and becomes the scheduler's event; an executor silent for
// longer than the heartbeat timeout is lost, reported once.

#include <optional>
#include <string>
#include <vector>

#include "exec/executor_pool.h"

namespace smallpond {

class Liveness {
 public:
  Liveness(int executors, double timeout_seconds);
  //! Something came from the executor (or it was just started).
  void heard(int executor);
  //! It did not take a message within the timeout: lost at the next look.
  void unreachable(int executor);
  //! An executor silent past the timeout, not reported since it was last heard; -1: none.
  //! The one returned counts as reported.
  int next_silent(double now);
  //! "<who> stopped answering (no heartbeat for Ns)".
  std::string silence(const std::string& who) const;
  double timeout() const { return timeout_; }

 private:
  double timeout_;
  std::vector<double> last_heard_;
  std::vector<bool> reported_;
};

//! The event a message from an executor stands for: a result or a reply; nullopt for a
//! heartbeat or a type the scheduler does not take.
std::optional<ExecutorEvent> event_of(int executor, Message message);

}  // namespace smallpond
