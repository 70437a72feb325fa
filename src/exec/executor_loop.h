#pragma once
// The executor side of the protocol: receive assignments, run them, answer with outcomes.
// The same loop serves executor processes, executor threads (tests) and MPI ranks.

#include "exec/protocol.h"

namespace smallpond {

class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  //! Runs one attempt. Failures are reported in the outcome, not thrown.
  virtual TaskOutcome run(const TaskAssignment& task) = 0;
};

//! Serves until the channel closes or a shutdown message arrives.
void serve_executor(MessageChannel& channel, TaskRunner& runner);

}  // namespace smallpond
