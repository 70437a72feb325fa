// An executor rank: the generic executor relay (exec/executor_relay.h) over MPI point-to-point
// messages. Rank 0 is the scheduler; rank e + 1 is executor e.
#include <cstdio>
#include <cstdlib>

#include "exec/executor_relay.h"
#include "exec/mpi/mpi_messages_internal.h"
#include "exec/mpi/mpi_runtime.h"

namespace smallpond {

namespace {

class MpiRelayTransport : public RelayTransport {
 public:
  std::optional<std::pair<int, Message>> try_receive() override {
    int from = -1;
    auto message = mpi::try_receive(MPI_ANY_SOURCE, &from);
    if (!message) return std::nullopt;
    return std::make_pair(from == 0 ? kScheduler : from - 1, std::move(*message));
  }

  bool send(int to, const Message& message, double timeout_seconds,
            const std::function<bool()>& while_waiting) override {
    return mpi::send_within(message, to == kScheduler ? 0 : to + 1, timeout_seconds, while_waiting);
  }

  bool scheduler_heartbeats() const override { return mpi::scheduler_heartbeats(); }
  double scheduler_timeout() const override { return mpi::scheduler_timeout(); }

  // Without finalising MPI (a collective that a lost rank would never join): with
  // --enable-recovery, mpirun would otherwise report success.
  void abort_job() override {
    mpi::note_rank_lost();
    MPI_Abort(MPI_COMM_WORLD, 3);
  }

  std::string where() const override { return "MPI rank " + std::to_string(mpi_rank()); }
  std::string scheduler_name() const override { return "rank 0 (the scheduler)"; }
};

}  // namespace

void run_mpi_executor_rank() {
  int code = 0;
  try {
    MpiRelayTransport transport;
    if (!run_executor_relay(transport)) mpi::note_rank_lost();  // MPI_Finalize would hang
  } catch (const std::exception& e) {
    std::fprintf(stderr, "smallpond executor on MPI rank %d: %s\n", mpi_rank(), e.what());
    code = 1;
  }
  std::exit(code);  // runs the MPI finaliser registered by mpi_initialize
}

}  // namespace smallpond
