// What each error code means for a retry, and the codes' names on the wire.
#include "smallpond/error.h"

namespace smallpond {

namespace {
struct CodeName {
  ErrorCode code;
  const char* name;
};
constexpr CodeName kNames[] = {
    {ErrorCode::InvalidInput, "invalid_input"},
    {ErrorCode::NotFound, "not_found"},
    {ErrorCode::InputChanged, "input_changed"},
    {ErrorCode::CorruptData, "corrupt_data"},
    {ErrorCode::Io, "io"},
    {ErrorCode::OutOfMemory, "out_of_memory"},
    {ErrorCode::ExecutorLost, "executor_lost"},
    {ErrorCode::Interrupted, "interrupted"},
    {ErrorCode::ExecutionFailed, "execution_failed"},
    {ErrorCode::Internal, "internal"},
};
}  // namespace

bool is_retryable(ErrorCode code) {
  switch (code) {
    case ErrorCode::Io:
    case ErrorCode::OutOfMemory:
    case ErrorCode::ExecutorLost:
    case ErrorCode::Interrupted:
    case ErrorCode::Internal:  // an engine's internal error may be a state that passes
      return true;
    case ErrorCode::InvalidInput:
    case ErrorCode::NotFound:
    case ErrorCode::InputChanged:
    case ErrorCode::CorruptData:
    case ErrorCode::ExecutionFailed:
      return false;
  }
  return true;
}

const char* error_code_name(ErrorCode code) {
  for (auto& n : kNames)
    if (n.code == code) return n.name;
  return "internal";
}

ErrorCode error_code_from_name(const std::string& name) {
  for (auto& n : kNames)
    if (name == n.name) return n.code;
  return ErrorCode::Internal;
}

}  // namespace smallpond
