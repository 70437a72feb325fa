#include "common/os_error.h"

#include <cerrno>
#include <cstring>

namespace smallpond {

ErrorCode error_code_of_errno(int err) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return ErrorCode::NotFound;
    case EACCES:
    case EPERM:
    case EISDIR:
    case ELOOP:
    case ENAMETOOLONG:
    case EINVAL:
    case EROFS:
      return ErrorCode::InvalidInput;
    default:  // EIO, ESTALE, ETIMEDOUT, EINTR, EAGAIN, ENOSPC, EMFILE, ENOMEM, ...
      return ErrorCode::Io;
  }
}

void throw_os_error(const std::string& what, int err) {
  std::string message = what + ": " + std::strerror(err);
  ErrorCode code = error_code_of_errno(err);
  if (code == ErrorCode::Io) throw IoError(message);
  throw InvalidInputError(message, code);
}

}  // namespace smallpond
