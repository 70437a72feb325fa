#pragma once
// The messages between the scheduler's side and executors: one struct per type, one variant of
// them (Message). A channel decodes a message once, into its struct; everything past the channel
// works with the structs, never with names or JSON fields. The wire form (JSON with raw bytes,
// exec/protocol.h's encode_message) is made and read only here.
//
//   run       scheduler -> executor   one attempt of one task
//   result    executor -> scheduler   its outcome
//   heartbeat executor -> scheduler   the executor process is alive
//   export    scheduler -> executor   send in-memory tables (to the scheduler, or to `to`)
//   exported  executor -> scheduler   the tables' bytes, or the names of those delivered
//   drop      scheduler -> executor   let go of in-memory tables
//   abandon   scheduler -> executor   stop the running attempt (its result is not wanted)
//   shutdown  scheduler -> executor   end the executor
//   tables    executor -> executor    a direct transfer of tables (MPI ranks)
//   retired   scheduler -> executor   it was given up on: leave if it wakes up
//   alive     scheduler -> executor   the scheduler is alive (MPI)

#include <map>
#include <string>
#include <variant>
#include <vector>

#include "common/json.h"
#include "exec/protocol.h"

namespace smallpond {

//! In-memory tables by name, each a binary value (binary_value): moved, never copied, on the
//! way from one executor to another.
using TableBytes = std::map<std::string, Json>;

struct RunMessage {
  TaskAssignment task;
};
struct ResultMessage {
  TaskOutcome outcome;
};
struct HeartbeatMessage {};
struct ExportMessage {
  std::vector<std::string> tables;
  int to = -1;  //!< the executor to send them to directly; -1: back to the scheduler
};
struct ExportedMessage {
  TableBytes tables;                   //!< what was asked for, unless delivered elsewhere
  std::vector<std::string> missing;    //!< asked for but not here (any more)
  std::string error;                   //!< why the first missing one is missing
  int delivered_to = -1;               //!< the executor the tables were sent to directly
  std::vector<std::string> delivered;  //!< those sent there (names only)
  //! `tables` hold references into a cluster's object store (smallpond/object_store.h), not
  //! bytes: valid only while the executor that put them lives.
  bool by_reference = false;
};
struct DropMessage {
  std::vector<std::string> tables;
};
struct AbandonMessage {};
struct ShutdownMessage {
  bool finalize = true;  //!< MPI: finalise (false when a rank was lost: it would hang)
};
struct TablesMessage {
  TableBytes tables;
};
struct RetiredMessage {};
struct AliveMessage {};
//! A type this side does not know (a newer or broken peer): receivers ignore it.
struct UnknownMessage {
  std::string type;
};

// Every message type, once: MESSAGE(struct, wire name). The variant, the names and the wire
// form follow this list.
#define SMALLPOND_MESSAGES(MESSAGE)      \
  MESSAGE(RunMessage, "run")             \
  MESSAGE(ResultMessage, "result")       \
  MESSAGE(HeartbeatMessage, "heartbeat") \
  MESSAGE(ExportMessage, "export")       \
  MESSAGE(ExportedMessage, "exported")   \
  MESSAGE(DropMessage, "drop")           \
  MESSAGE(AbandonMessage, "abandon")     \
  MESSAGE(ShutdownMessage, "shutdown")   \
  MESSAGE(TablesMessage, "tables")       \
  MESSAGE(RetiredMessage, "retired")     \
  MESSAGE(AliveMessage, "alive")

#define SMALLPOND_MESSAGE_ALTERNATIVE(Struct, name) Struct,
using Message = std::variant<SMALLPOND_MESSAGES(SMALLPOND_MESSAGE_ALTERNATIVE) UnknownMessage>;
#undef SMALLPOND_MESSAGE_ALTERNATIVE

//! The wire name of a message's type ("run", ...; an unknown one's own name).
std::string message_name(const Message& message);

//! The wire form, and back. Decoding moves table bytes out of `json`; a message of an unknown
//! type becomes UnknownMessage; a known type with missing or mistyped fields throws
//! InternalError.
Json message_to_json(const Message& message);
Message message_from_json(Json json);
//! Framed bytes (encode_message of the wire form), and back.
std::string encode(const Message& message);
Message decode(const std::string& bytes);

//! A bidirectional, message-oriented link between a scheduler and one executor.
class MessageChannel {
 public:
  virtual ~MessageChannel() = default;
  virtual void send(const Message& message) = 0;
  //! Blocks for the next message; nullopt when the other side is gone.
  virtual std::optional<Message> receive() = 0;
};

}  // namespace smallpond
