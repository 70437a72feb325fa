// Built when MPI support is off: nothing is ever launched by MPI.
#include <cstdlib>
#include <string>

#include "exec/mpi/mpi_runtime.h"
#include "smallpond/error.h"

namespace smallpond {

bool mpi_launched() { return false; }
std::string launch_problem() {
  if (const char* off = std::getenv("SMALLPOND_MPI"); off && std::string(off) == "0") return "";
  const char* tasks = std::getenv("SLURM_STEP_NUM_TASKS");
  if (!tasks || std::atoi(tasks) <= 1) return "";
  return std::string("started by srun as one of ") + tasks +
         " tasks, but this smallpond-cpp was built without MPI: run one task, or set "
         "SMALLPOND_MPI=0 to run every task as a job of its own";
}
void mpi_initialize() {}
bool mpi_active() { return false; }
int mpi_rank() { return 0; }
int mpi_size() { return 1; }
void run_mpi_executor_rank() { std::abort(); }
std::unique_ptr<ExecutorPool> make_mpi_pool(double) {
  throw InternalError("smallpond-cpp was built without MPI support");
}

}  // namespace smallpond
