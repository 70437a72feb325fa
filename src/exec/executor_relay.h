#pragma once
// An executor that lives on another node: a relay that takes messages from the scheduler over a
// cluster transport, runs the tasks in a local executor process of its own (so a task that
// crashes kills only that process, which is replaced; the attempt comes back as a retryable
// failure), and sends results and heartbeats back. Any cluster transport reuses it by
// implementing RelayTransport (MPI ranks do: exec/mpi/mpi_rank.cpp).
//
// In-memory tables move between relays directly: an ExportMessage may name the executor that
// needs the tables (`to`); the relay then sends their bytes to that executor's relay as a
// TablesMessage and tells the scheduler only their names. The receiving relay keeps them until a
// task that lists them under `delivered` arrives (the task waits for any still on the way), then
// attaches them to it.

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exec/messages.h"
#include "smallpond/object_store.h"
#include "smallpond/task_observer.h"

namespace smallpond {

//! How a relay reaches the scheduler and the other executors' relays.
class RelayTransport {
 public:
  static constexpr int kScheduler = -1;  //!< the sender of messages from the scheduler
  virtual ~RelayTransport() = default;
  //! A message that has arrived, with its sender (kScheduler, or an executor's number); nullopt
  //! when none is waiting. Never blocks.
  virtual std::optional<std::pair<int, Message>> try_receive() = 0;
  //! Sends; false when the receiver did not take it within timeout_seconds (it is gone or
  //! stopped). While it waits it calls while_waiting(), which should receive what arrives (a
  //! peer sending to us at the same time must not wait for us) and returns true to wait on
  //! past the timeout (the receiver is known to be alive, only busy).
  virtual bool send(int to, const Message& message, double timeout_seconds,
                    const std::function<bool()>& while_waiting) = 0;
  //! Whether the scheduler sends AliveMessages on its own (from a thread that runs whatever
  //! its main thread does): only then does its silence mean that it is gone.
  virtual bool scheduler_heartbeats() const = 0;
  //! How long the scheduler may be silent before the relay takes it for gone.
  virtual double scheduler_timeout() const = 0;
  //! The scheduler is gone: the cluster job has failed; end all of it (so that its launcher
  //! reports the failure and no other executor is left waiting). Need not return.
  virtual void abort_job() = 0;
  //! "MPI rank 3": where this relay runs, for messages.
  virtual std::string where() const = 0;
  //! "rank 0 (the scheduler)": the scheduler, for messages.
  virtual std::string scheduler_name() const { return "the scheduler"; }
};

//! Relays until the scheduler says stop or retires this executor, or is gone. Returns whether
//! the transport may be closed in step with the others (false when an executor was lost: a
//! collective close, like MPI_Finalize, would wait for it for ever).
//! The relay's executor process runs `command` (empty: a copy of this program).
//! With an object_store (a cluster's, smallpond/object_store.h), tables exported to the
//! scheduler are put there and only references go to the scheduler; a task's attachments that
//! are references are fetched from there before it starts (method 1 of handing data over).
//! A task_observer (smallpond/task_observer.h) is told when each task attempt starts (before
//! its inputs are fetched) and ends.
bool run_executor_relay(RelayTransport& transport, const std::vector<std::string>& command = {},
                        const ObjectStore* object_store = nullptr,
                        const TaskObserver* task_observer = nullptr);

}  // namespace smallpond
