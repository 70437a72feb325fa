#pragma once
// Failures of system calls as smallpond errors: whether a retry can help follows from errno
// (a missing file will stay missing; EIO or ESTALE on a network file system may pass).

#include <string>

#include "smallpond/error.h"

namespace smallpond {

//! NotFound, InvalidInput (permissions, a directory where a file belongs, ...) or Io.
ErrorCode error_code_of_errno(int err);

//! Throws `what: strerror(err)` as InvalidInputError or IoError, by error_code_of_errno.
[[noreturn]] void throw_os_error(const std::string& what, int err);

}  // namespace smallpond
