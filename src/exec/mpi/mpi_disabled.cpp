// Built when MPI support is off: nothing is ever launched by MPI.
#include <cstdlib>

#include "exec/mpi/mpi_runtime.h"
#include "smallpond/error.h"

namespace smallpond {

bool mpi_launched() { return false; }
void mpi_initialize() {}
bool mpi_active() { return false; }
int mpi_rank() { return 0; }
int mpi_size() { return 1; }
void run_mpi_executor_rank() { std::abort(); }
std::unique_ptr<ExecutorPool> make_mpi_pool(double) {
  throw InternalError("smallpond-cpp was built without MPI support");
}

}  // namespace smallpond
