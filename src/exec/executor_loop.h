#pragma once
// The executor side of the protocol: receive assignments, run them, answer with outcomes; and
// between tasks, control messages about in-memory outputs:
//   {"type": "export", "tables": [T, ...]}  ->  {"type": "exported", "tables": {T: bytes, ...},
//                                               "missing": [T, ...], "error": "..."}
//   {"type": "drop", "tables": [...]}
// One export answers for every table a consumer needs from this executor: one round trip per
// owner, not per table. "missing" (with the first error) lists tables that are not here.
// The same loop serves executor processes, executor threads (tests) and MPI ranks.

#include "exec/protocol.h"

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
