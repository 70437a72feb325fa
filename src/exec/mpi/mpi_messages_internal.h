#pragma once
// Protocol messages (encode_message) over MPI point-to-point (the only MPI calls of the protocol).
// Every send is non-blocking (MPI_Isend) and keeps receiving while it waits: two ranks sending
// large messages to each other at once (past MPI's eager limit, a blocking send waits for the
// matching receive) would otherwise wait for each other for ever.

#include <mpi.h>

#include <functional>
#include <optional>

#include "exec/messages.h"

namespace smallpond::mpi {

constexpr int kTag = 4711;

//! Remembers that a rank died: MPI_Finalize would then hang, so it is skipped at exit.
void note_rank_lost();

//! Sends a message but waits at most timeout_seconds for MPI to take it; false when it did not
//! (the peer is gone or stopped: a send to a dead rank can block for ever). While it waits it
//! calls while_waiting() (if given), which should receive what arrives (a peer sending to us at
//! the same time must not wait for us) and return true to wait on past the timeout (the peer
//! is known to be alive, only busy).
bool send_within(const Message& message, int rank, double timeout_seconds,
                 const std::function<bool()>& while_waiting = {});
//! Sends a small message without waiting for it at all (fire and forget).
void post(const Message& message, int rank);

//! Whether rank 0 sends "alive" messages from a thread of its own (MPI_THREAD_MULTIPLE was
//! granted): only then can an executor rank take rank 0's silence for its death.
bool scheduler_heartbeats();
//! Seconds of silence from rank 0 after which an executor rank exits (rank 0 is gone):
//! SMALLPOND_SCHEDULER_TIMEOUT, default 30.
double scheduler_timeout();
//! The next message from `source` (MPI_ANY_SOURCE for any), if one is waiting; fills from.
std::optional<Message> try_receive(int source, int* from);

}  // namespace smallpond::mpi
