#pragma once
// Fault injection for tests of the fault handling, enabled by environment variables that the
// scheduler's process sets and its executors inherit:
//
//   SMALLPOND_FAULT_CRASH_ONCE=<marker file>[:<task label prefix>]
//     The first task attempt (of a task whose label starts with the prefix, if given) that
//     starts while the marker file does not exist creates it and kills its own executor process
//     (SIGKILL), as a crash or the OOM killer would.
//
//   SMALLPOND_FAULT_SLOW_ONCE=<marker file>:<seconds>[:<release file>]
//     The first task attempt that finds no marker creates it and waits first (a straggler, for
//     speculation tests): that long, or until the release file exists. Tests that must act
//     while a task is held create the release file when done, instead of racing a sleep.
//
// and by the assignment's fault_probability (Options::fault_probability, `--fault-inject P`):
// an attempt fails with that probability, with a retryable "injected fault" error.

#include <memory>

#include "exec/executor_loop.h"

namespace smallpond {

//! Wraps runner with the faults the environment asks for (or returns it as it is).
std::unique_ptr<TaskRunner> with_injected_faults(std::unique_ptr<TaskRunner> runner);

}  // namespace smallpond
