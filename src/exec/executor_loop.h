#pragma once
// The executor side of the protocol: receive assignments, run them, answer with outcomes; and
// between tasks, control messages about in-memory outputs: an ExportMessage is answered by one
// ExportedMessage with the bytes of every table asked for (one round trip per owner, not per
// table), those that are not here listed as missing with the first error; a DropMessage frees
// tables.
// The same loop serves executor processes, executor threads (tests) and MPI ranks.

#include "exec/messages.h"

namespace smallpond {

class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  //! Runs one attempt. Failures are reported in the outcome, not thrown.
  virtual TaskOutcome run(const TaskAssignment& task) = 0;
  //! An in-memory task output as bytes, for a consumer on another executor.
  //! Throws when the table is not here.
  virtual std::string export_table(const std::string& table) = 0;
  //! Frees in-memory outputs that no consumer needs any more.
  virtual void drop_tables(const std::vector<std::string>& tables) = 0;
};

//! Serves until the channel closes or a shutdown message arrives.
void serve_executor(MessageChannel& channel, TaskRunner& runner);

}  // namespace smallpond
