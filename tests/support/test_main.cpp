// Test main: executor processes are re-executions of the test binary, so serve first.
#include <gtest/gtest.h>

#include "smallpond/session.h"

int main(int argc, char** argv) {
  smallpond::serve_if_executor();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
