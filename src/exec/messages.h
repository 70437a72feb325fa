#pragma once
// The messages between the scheduler's side and executors, by type. Every message is a JSON
// object with a "type" (see exec/protocol.h for the encoding); its type is read once, into
// MessageType, and the names live only here.
//
//   run       scheduler -> executor   {task: TaskAssignment}
//   result    executor -> scheduler   {outcome: TaskOutcome}
//   heartbeat executor -> scheduler   (the executor process is alive)
//   export    scheduler -> executor   {tables: [...], to?: executor}  send in-memory tables
//   exported  executor -> scheduler   {tables: {name: bytes}, missing: [...],
//                                      delivered_to?, delivered?: [...]}
//   drop      scheduler -> executor   {tables: [...]}             let go of in-memory tables
//   abandon   scheduler -> executor   stop the running attempt (its result is not wanted)
//   shutdown  scheduler -> executor   {finalize?}                  end the executor
//   tables    MPI rank -> MPI rank    {tables: {name: bytes}}     a direct transfer
//   retired   MPI rank 0 -> rank      the rank was given up on: leave if you wake up
//   alive     MPI rank 0 -> rank      rank 0 (the scheduler) is alive

#include "common/json.h"
#include "exec/protocol.h"

namespace smallpond {

enum class MessageType {
  Run,
  Result,
  Heartbeat,
  Export,
  Exported,
  Drop,
  Abandon,
  Shutdown,
  Tables,
  Retired,
  Alive,
  Unknown,  //!< none of the above (a newer or broken peer): ignored by receivers
};

const char* message_type_name(MessageType type);
//! The type of a message, read from its "type" field.
MessageType message_type(const Json& message);
//! A message of this type with no other fields, to add them to.
Json message_of(MessageType type);
Json run_message(const TaskAssignment& task);
Json result_message(const TaskOutcome& outcome);

}  // namespace smallpond
