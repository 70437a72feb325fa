// Error codes: one function decides what a retry can fix, from the code a failure carries.
#include "smallpond/error.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "common/os_error.h"
#include "io/filesystem.h"

namespace smallpond {
namespace {

TEST(ErrorCodes, OnlyFailuresThatMayPassAreRetryable) {
  EXPECT_TRUE(is_retryable(ErrorCode::Io));
  EXPECT_TRUE(is_retryable(ErrorCode::OutOfMemory));
  EXPECT_TRUE(is_retryable(ErrorCode::ExecutorLost));
  EXPECT_FALSE(is_retryable(ErrorCode::InvalidInput));
  EXPECT_FALSE(is_retryable(ErrorCode::NotFound));
  EXPECT_FALSE(is_retryable(ErrorCode::InputChanged));
  EXPECT_FALSE(is_retryable(ErrorCode::CorruptData));
  EXPECT_FALSE(is_retryable(ErrorCode::ExecutionFailed));
}

TEST(ErrorCodes, NamesRoundTrip) {
  for (ErrorCode c :
       {ErrorCode::InvalidInput, ErrorCode::NotFound, ErrorCode::InputChanged,
        ErrorCode::CorruptData, ErrorCode::Io, ErrorCode::OutOfMemory, ErrorCode::ExecutorLost,
        ErrorCode::Interrupted, ErrorCode::ExecutionFailed, ErrorCode::Internal})
    EXPECT_EQ(error_code_from_name(error_code_name(c)), c) << error_code_name(c);
}

TEST(ErrorCodes, ExceptionClassesCarryTheirCodes) {
  EXPECT_EQ(InvalidInputError("x").code(), ErrorCode::InvalidInput);
  EXPECT_EQ(ExecutionError("x").code(), ErrorCode::ExecutionFailed);
  EXPECT_EQ(IoError("x").code(), ErrorCode::Io);
  EXPECT_EQ(InternalError("x").code(), ErrorCode::Internal);
  EXPECT_EQ(InvalidInputError("x", ErrorCode::NotFound).code(), ErrorCode::NotFound);
}

TEST(ErrorCodes, SystemCallFailuresByErrno) {
  EXPECT_EQ(error_code_of_errno(ENOENT), ErrorCode::NotFound);
  EXPECT_EQ(error_code_of_errno(EACCES), ErrorCode::InvalidInput);
  for (int transient : {EIO, ESTALE, ETIMEDOUT, EAGAIN, ENOSPC})
    EXPECT_EQ(error_code_of_errno(transient), ErrorCode::Io) << transient;
  try {
    throw_os_error("cannot read 'f'", EIO);
    FAIL();
  } catch (const IoError& e) {
    EXPECT_STREQ(e.what(), "cannot read 'f': Input/output error");
  }
  // A missing file stays what it was for callers: invalid input, now also saying NotFound.
  try {
    stat_file("/nonexistent/smallpond-file");
    FAIL();
  } catch (const InvalidInputError& e) {
    EXPECT_EQ(e.code(), ErrorCode::NotFound);
    EXPECT_FALSE(is_retryable(e.code()));
  }
}

}  // namespace
}  // namespace smallpond
