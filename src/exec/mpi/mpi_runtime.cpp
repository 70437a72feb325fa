#include "exec/mpi/mpi_runtime.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/system.h"
#include "exec/messages.h"
#include "exec/mpi/mpi_messages_internal.h"
#include "exec/protocol.h"
#include "smallpond/error.h"

namespace smallpond {

namespace mpi {

bool send_within(const Message& message, int rank, double timeout_seconds,
                 const std::function<bool()>& while_waiting) {
  std::string body = encode(message);
  MPI_Request request;
  if (MPI_Isend(body.data(), static_cast<int>(body.size()), MPI_CHAR, rank, kTag, MPI_COMM_WORLD,
                &request) != MPI_SUCCESS)
    return false;
  double deadline = monotonic_seconds() + timeout_seconds;
  while (true) {
    int done = 0;
    if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return false;
    if (done) return true;
    bool wait_on = while_waiting && while_waiting();
    if (!wait_on && monotonic_seconds() > deadline) {
      // The peer never took it. The buffer must outlive the request, which may never end: it
      // is leaked on purpose (the caller gives up on the peer and stops using MPI with it).
      new std::string(std::move(body));
      MPI_Request_free(&request);
      return false;
    }
    ::usleep(200);
  }
}

void post(const Message& message, int rank) {
  // The buffer lives until MPI is done with it, which for a dead peer is never: leaked (a few
  // dozen bytes per message; used for one-off messages only: retired, shutdown).
  auto* body = new std::string(encode(message));
  MPI_Request request;
  if (MPI_Isend(body->data(), static_cast<int>(body->size()), MPI_CHAR, rank, kTag, MPI_COMM_WORLD,
                &request) == MPI_SUCCESS)
    MPI_Request_free(&request);
}

std::optional<Message> try_receive(int source, int* from) {
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
  return decode(body);
}

}  // namespace mpi

namespace {
bool g_initialized = false;
std::atomic<bool> g_rank_lost{false};
bool g_threads = false;  // MPI_THREAD_MULTIPLE: rank 0 sends heartbeats from a thread
int g_rank = 0, g_size = 1;

// Rank 0's heartbeats to the executor ranks, from a thread of their own: they flow while the
// main thread plans, publishes or runs the program's own code between jobs, and stop only
// when the process is gone or stopped. At most one beat per rank is in flight: a rank that
// does not take them (stopped, dead) gets no more until it takes that one.
class SchedulerHeartbeat {
 public:
  void start() {
    thread_ = std::thread([this] {
      // One buffer for every send, never freed: MPI may still hold it after the thread ends.
      static const std::string* beat = new std::string(encode(AliveMessage{}));
      std::vector<MPI_Request> in_flight(g_size, MPI_REQUEST_NULL);
      std::unique_lock<std::mutex> lock(mutex_);
      while (!stop_) {
        for (int r = 1; r < g_size; r++) {
          int done = 1;
          if (in_flight[r] != MPI_REQUEST_NULL) MPI_Test(&in_flight[r], &done, MPI_STATUS_IGNORE);
          if (!done) continue;
          MPI_Isend(beat->data(), static_cast<int>(beat->size()), MPI_CHAR, r, mpi::kTag,
                    MPI_COMM_WORLD, &in_flight[r]);
        }
        wake_.wait_for(lock, std::chrono::seconds(1));
      }
      for (auto& request : in_flight)
        if (request != MPI_REQUEST_NULL) MPI_Request_free(&request);
    });
  }
  void stop() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
};
SchedulerHeartbeat* g_heartbeat = nullptr;

void finalize_at_exit() {
  if (g_heartbeat) g_heartbeat->stop();
  // MPI_Finalize waits for every rank; after one died it would hang, so then nobody calls it
  // (mpirun --enable-recovery tolerates that).
  if (g_rank == 0) {
    for (int r = 1; r < g_size; r++) mpi::post(ShutdownMessage{!g_rank_lost.load()}, r);
  }
  if (!g_rank_lost) MPI_Finalize();
}
}  // namespace

namespace mpi {
void note_rank_lost() { g_rank_lost = true; }
bool scheduler_heartbeats() { return g_threads; }
double scheduler_timeout() {
  const char* v = std::getenv("SMALLPOND_SCHEDULER_TIMEOUT");
  double t = v ? std::atof(v) : 0;
  return t > 0 ? t : 30;
}
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
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS)
    throw Error("cannot initialise MPI");
  g_threads = provided >= MPI_THREAD_MULTIPLE;
  // A dead peer must give an error code, not abort every rank (needs mpirun --enable-recovery).
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  g_initialized = true;
  std::atexit(finalize_at_exit);
  if (g_rank == 0 && g_size > 1 && g_threads) {
    g_heartbeat = new SchedulerHeartbeat();  // stopped at exit, before MPI_Finalize
    g_heartbeat->start();
  }
}

bool mpi_active() { return g_initialized && g_size > 1; }
int mpi_rank() { return g_rank; }
int mpi_size() { return g_size; }

}  // namespace smallpond
