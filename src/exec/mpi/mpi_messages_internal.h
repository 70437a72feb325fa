#pragma once
// Protocol messages (encode_message) over MPI point-to-point (the only MPI calls of the protocol).

#include <mpi.h>

#include <optional>

#include "common/json.h"

namespace smallpond::mpi {

constexpr int kTag = 4711;

//! Remembers that a rank died: MPI_Finalize would then hang, so it is skipped at exit.
void note_rank_lost();

//! Sends a message; false when MPI reports an error (e.g. the peer died, with recovery on).
bool send(const Json& message, int rank);
//! The next message from `source` (MPI_ANY_SOURCE for any), if one is waiting; fills from.
std::optional<Json> try_receive(int source, int* from);

}  // namespace smallpond::mpi
