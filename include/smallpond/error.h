#pragma once
//! Errors raised by smallpond-cpp. Every public function reports failure by throwing a subclass
//! of smallpond::Error; the message is meant to be shown to the user as it is. Each error also
//! carries a code that says what went wrong, and is_retryable(code) (the one place that
//! decides it) whether running the same task again can help.

#include <stdexcept>
#include <string>

namespace smallpond {

enum class ErrorCode {
  InvalidInput,     //!< a bad argument, pipeline file, query or program: fix the input
  NotFound,         //!< a named file or directory does not exist
  InputChanged,     //!< an input file changed (or went) after the job was planned
  CorruptData,      //!< data that cannot be read as what it claims to be
  Io,               //!< an operating-system I/O failure that may pass (EIO, ESTALE, ETIMEDOUT, ...)
  OutOfMemory,      //!< the engine or the kernel ran out of memory (retried with more)
  ExecutorLost,     //!< the process running the task ended or stopped answering
  Interrupted,      //!< the engine was interrupted (a cancelled attempt)
  ExecutionFailed,  //!< the job failed: a task failed for good
  Internal,         //!< a bug in smallpond-cpp or its engine
};

//! Whether an attempt that failed with this code may succeed when run again.
bool is_retryable(ErrorCode code);
//! The code's name ("io", "not_found", ...), as written in messages between processes.
const char* error_code_name(ErrorCode code);
//! The code of a name from error_code_name; Internal for an unknown name.
ErrorCode error_code_from_name(const std::string& name);

//! Base of all smallpond errors.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, ErrorCode code = ErrorCode::Internal)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

//! The user asked for something invalid: a bad pipeline file, a missing input, a bad argument.
class InvalidInputError : public Error {
 public:
  explicit InvalidInputError(const std::string& message, ErrorCode code = ErrorCode::InvalidInput)
      : Error(message, code) {}
};

//! A job failed while running: a task failed more often than allowed, or could never succeed
//! (bad SQL, a corrupt file). The message names the step, the task and the query or file.
class ExecutionError : public Error {
 public:
  explicit ExecutionError(const std::string& message, ErrorCode code = ErrorCode::ExecutionFailed)
      : Error(message, code) {}
};

//! Reading or writing a file failed in a way that may pass (an NFS hiccup, a full disk): the
//! task that met it is retried.
class IoError : public Error {
 public:
  explicit IoError(const std::string& message) : Error(message, ErrorCode::Io) {}
};

//! A bug in smallpond-cpp itself.
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& message) : Error(message, ErrorCode::Internal) {}
};

}  // namespace smallpond
