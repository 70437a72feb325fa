#pragma once
// What the scheduler and executors exchange: a task attempt (TaskAssignment) and its outcome
// (TaskOutcome), and the framing of messages on the wire. The messages themselves, one struct
// per type, are in exec/messages.h.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/json.h"
#include "dataset/dataset.h"
#include "engine/engine.h"
#include "plan/task.h"

namespace smallpond {

//! One attempt of one task, with everything the executor needs to run it.
struct TaskAssignment {
  int64_t job = 0;  //!< which job run of the scheduler; outcomes of older runs are ignored
  int task_id = 0;
  int attempt = 0;
  TaskKind kind = TaskKind::Sql;
  std::string label;  //!< "step[partition]", for messages
  std::string key;
  //! The task kind's parameters (plan/task_params.h), in their wire form.
  Json params;
  //! Sql: one data set per input ({0}, {1}, ...). HashProduce, Function: one, all inputs
  //! concatenated.
  std::vector<DataSet> inputs;
  std::string staging_dir;     //!< where to write (the executor creates it)
  std::string final_dir;       //!< where to publish by renaming staging_dir
  std::string checkpoint_dir;  //!< stream functions: where progress is saved (else empty)
  EngineLimits limits;
  double fault_probability = 0;  //!< testing: fail this attempt with this probability
  //! Keep the output in the executor's memory when it is at most this many bytes (0: never).
  int64_t memory_output_bytes = 0;
  //! Its output is read only by later tasks (no sink publishes it, the program does not read
  //! it): written without compression (exec/parquet_output.h).
  bool intermediate = false;
  //! Flush the output to disk before and after publishing it (Options::flush_task_outputs).
  bool flush_output = false;
  //! In-memory inputs that live on other executors: table name -> exported bytes (a binary
  //! value, see binary_value), or a reference into a cluster's object store that the
  //! executor's relay resolves (reference_attachment).
  Json attachments = Json::object();
  //! In-memory inputs already sent to this executor by their owner (MPI ranks send tables to
  //! each other): the executor's side attaches its copy.
  std::vector<std::string> delivered;

  Json to_json() const;
  static TaskAssignment from_json(const Json& j);
};

struct TaskOutcome {
  int64_t job = 0;
  int task_id = 0;
  int attempt = 0;
  bool ok = false;
  std::vector<DataSet> outputs;  //!< Sql: one; HashProduce: one per bucket
  int64_t rows = 0;
  double seconds = 0;
  std::string error;  //!< when !ok: what went wrong, already naming the query or file
  //!< when !ok: what kind of failure; is_retryable(code) decides whether to run it again, and
  //!< OutOfMemory retries it with more memory
  ErrorCode code = ErrorCode::Internal;
  int64_t memory_bytes = 0;  //!< size of an output kept in memory (0: written to files)

  Json to_json() const;
  static TaskOutcome from_json(const Json& j);
};

//! Messages on the wire (sockets, MPI): a JSON text header and, after it, the raw bytes of the
//! message's binary values (the bytes of in-memory tables): no base64, no text escaping (a
//! relay of 6 MB of tables as base64 in JSON text cost about 0.3 s).
std::string encode_message(const Json& message);
//! Throws on malformed input.
Json decode_message(const std::string& bytes);
//! Bytes as a binary value of a message, and back.
Json binary_value(const std::string& bytes);
std::string binary_bytes(const Json& value);
//! An attachment that is a reference into a cluster's object store (ObjectStore::put's
//! answer, a binary value), and back: the relay that runs the task resolves it into bytes.
Json reference_attachment(Json reference);
bool is_reference_attachment(const Json& attachment);
std::string attachment_reference(const Json& attachment);

}  // namespace smallpond
