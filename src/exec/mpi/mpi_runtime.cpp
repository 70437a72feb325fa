#include "exec/mpi/mpi_runtime.h"

#include <cstdlib>
#include <string>

#include "exec/mpi/mpi_messages_internal.h"
#include "exec/protocol.h"
#include "smallpond/error.h"

namespace smallpond {

namespace mpi {

bool send(const Json& message, int rank) {
  std::string body = encode_message(message);
  return MPI_Send(body.data(), static_cast<int>(body.size()), MPI_CHAR, rank, kTag,
                  MPI_COMM_WORLD) == MPI_SUCCESS;
}

std::optional<Json> try_receive(int source, int* from) {
  int flag = 0;
  MPI_Status status;
  if (MPI_Iprobe(source, kTag, MPI_COMM_WORLD, &flag, &status) != MPI_SUCCESS || !flag)
    return std::nullopt;
  int count = 0;
  MPI_Get_count(&status, MPI_CHAR, &count);
  std::string body(count, '\0');
  if (MPI_Recv(body.data(), count, MPI_CHAR, status.MPI_SOURCE, kTag, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE) != MPI_SUCCESS)
    return std::nullopt;
  if (from) *from = status.MPI_SOURCE;
  return decode_message(body);
}

}  // namespace mpi

namespace {
bool g_initialized = false;
bool g_rank_lost = false;
int g_rank = 0, g_size = 1;

void finalize_at_exit() {
  // MPI_Finalize waits for every rank; after one died it would hang, so then nobody calls it
  // (mpirun --enable-recovery tolerates that).
  if (g_rank == 0) {
    for (int r = 1; r < g_size; r++)
      mpi::send({{"type", "shutdown"}, {"finalize", !g_rank_lost}}, r);
  }
  if (!g_rank_lost) MPI_Finalize();
}
}  // namespace

namespace mpi {
void note_rank_lost() { g_rank_lost = true; }
}  // namespace mpi

bool mpi_launched() {
  if (const char* off = std::getenv("SMALLPOND_MPI"); off && std::string(off) == "0") return false;
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK");
}

std::string launch_problem() {
  if (mpi_launched()) return "";
  if (const char* off = std::getenv("SMALLPOND_MPI"); off && std::string(off) == "0") return "";
  // Only srun steps set SLURM_STEP_NUM_TASKS (sbatch and salloc shells do not).
  const char* tasks = std::getenv("SLURM_STEP_NUM_TASKS");
  if (!tasks || std::atoi(tasks) <= 1) return "";
  return std::string("started by srun as one of ") + tasks +
         " tasks, but without an MPI launch (no PMI in the environment): use srun --mpi=pmix, "
         "or set SMALLPOND_MPI=0 to run every task as a job of its own";
}

void mpi_initialize() {
  if (g_initialized) return;
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    throw Error("cannot initialise MPI");
  // A dead peer must give an error code, not abort every rank (needs mpirun --enable-recovery).
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  g_initialized = true;
  std::atexit(finalize_at_exit);
}

bool mpi_active() { return g_initialized && g_size > 1; }
int mpi_rank() { return g_rank; }
int mpi_size() { return g_size; }

}  // namespace smallpond
