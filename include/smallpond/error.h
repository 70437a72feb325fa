#pragma once
//! Errors raised by smallpond-cpp. Every public function reports failure by throwing a subclass
//! of smallpond::Error; the message is meant to be shown to the user as it is.

#include <stdexcept>
#include <string>

namespace smallpond {

//! Base of all smallpond errors.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

//! The user asked for something invalid: a bad pipeline file, a missing input, a bad argument.
class InvalidInputError : public Error {
 public:
  using Error::Error;
};

//! A job failed while running: a task failed more often than allowed, or could never succeed
//! (bad SQL, a corrupt file). The message names the step, the task and the query or file.
class ExecutionError : public Error {
 public:
  using Error::Error;
};

//! A bug in smallpond-cpp itself.
class InternalError : public Error {
 public:
  using Error::Error;
};

}  // namespace smallpond
