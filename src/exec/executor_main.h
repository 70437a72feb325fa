#pragma once
// Entry of an executor process: a copy of the driver program, started by LocalProcessPool.

namespace smallpond {

//! True when the environment marks this process as an executor.
bool is_executor_process();
//! Serves tasks over the inherited socket until the scheduler closes it, then exits the process.
[[noreturn]] void run_executor_process();

}  // namespace smallpond
