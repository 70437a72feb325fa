#pragma once
// The scheduler's view of its executors, independent of how they run (local processes,
// threads in tests, MPI ranks).

#include <optional>
#include <string>

#include "exec/messages.h"

namespace smallpond {

struct ExecutorEvent {
  enum class Type {
    Result,  //!< the executor finished a task attempt (outcome says how)
    Lost,    //!< the executor is gone (crashed, killed); its running attempt is lost
    Reply,   //!< the answer to an ExportMessage, in `exported`
  };
  Type type = Type::Result;
  int executor = 0;
  TaskOutcome outcome;         //!< Result only
  std::string reason;          //!< Lost only: e.g. "killed by signal 9"
  bool out_of_memory = false;  //!< Lost only: the kernel's out-of-memory killer ended it
  ExportedMessage exported;    //!< Reply only
};

//! Not thread safe: one scheduler thread drives it.
class ExecutorPool {
 public:
  virtual ~ExecutorPool() = default;
  virtual int size() const = 0;
  //! Starts executor `executor` on an attempt. The executor must be idle.
  virtual void assign(int executor, const TaskAssignment& task) = 0;
  //! Whether an "export" may name a destination executor ("to"): the owner then sends the
  //! tables there directly (MPI ranks, point to point) and tells the scheduler only which
  //! tables it delivered. Otherwise the tables come back to the scheduler, which attaches them.
  virtual bool direct_transfer() const { return false; }
  //! Sends a control message (ExportMessage, DropMessage); the executor handles it between
  //! tasks.
  virtual void send_control(int executor, const Message& message) = 0;
  //! The next event, or nullopt when none arrives within timeout_seconds.
  virtual std::optional<ExecutorEvent> wait(double timeout_seconds) = 0;
  //! After a Lost event: replaces the executor by a fresh one where the pool can (local
  //! processes), or retires it (an MPI rank); see alive().
  virtual void replace(int executor) = 0;
  //! False for a retired executor: it takes no more tasks.
  virtual bool alive(int executor) const { return executor >= 0 && executor < size(); }
  //! Whether a retired executor may still be replaced by one that comes later (an executor
  //! node its cluster manager restarts): with none alive, the scheduler waits for it instead
  //! of failing the job.
  virtual bool awaiting_executors() const { return false; }
  //! Whether a Lost executor is a whole node that went away (its machine, or the cluster
  //! manager stopped it), not a process that ran the task and may have died of it: its
  //! attempt does not count against the task's retries (RetryPolicy).
  virtual bool losses_are_nodes() const { return false; }
  //! Cancels the attempt running on one executor, with one meaning in every pool: its result
  //! never arrives (a pool that cannot stop it at once lets it finish and drops the result),
  //! the in-memory tables the executor held may be gone (the scheduler counts them lost), and
  //! the executor takes the next task.
  virtual void cancel(int executor) = 0;
  //! cancel() of every running attempt (after a failed job).
  virtual void abandon() = 0;
  //! Stops every executor.
  virtual void shutdown() = 0;
};

}  // namespace smallpond
