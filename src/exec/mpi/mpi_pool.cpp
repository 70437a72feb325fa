// Rank 0's view of the executor ranks.
#include <unistd.h>

#include <vector>

#include "common/system.h"
#include "exec/liveness.h"
#include "exec/messages.h"
#include "exec/mpi/mpi_messages_internal.h"
#include "exec/mpi/mpi_runtime.h"

namespace smallpond {

namespace {

class MpiPool : public ExecutorPool {
 public:
  explicit MpiPool(double heartbeat_timeout)
      : timeout_(heartbeat_timeout), liveness_(mpi_size() - 1, heartbeat_timeout) {
    alive_.assign(mpi_size() - 1, true);
  }

  int size() const override { return static_cast<int>(alive_.size()); }
  bool direct_transfer() const override { return true; }  // ranks send tables to each other
  bool alive(int e) const override { return e >= 0 && e < size() && alive_[e]; }

  void assign(int e, const TaskAssignment& task) override { send_control(e, RunMessage{task}); }

  void send_control(int e, const Message& message) override {
    // A stopped or dead rank never takes a large message: give up after the heartbeat timeout
    // rather than block the scheduler; the rank is then reported lost by wait().
    if (!alive_[e] || !mpi::send_within(message, e + 1, timeout_)) liveness_.unreachable(e);
  }

  std::optional<ExecutorEvent> wait(double timeout_seconds) override {
    double deadline = monotonic_seconds() + timeout_seconds;
    do {
      int from = -1;
      while (auto message = mpi::try_receive(MPI_ANY_SOURCE, &from)) {
        int e = from - 1;
        if (e < 0 || e >= size() || !alive_[e]) continue;
        liveness_.heard(e);
        if (auto event = event_of(e, std::move(*message))) return event;
      }
      int e = liveness_.next_silent(monotonic_seconds());
      if (e >= 0 && alive_[e]) {
        ExecutorEvent event;
        event.type = ExecutorEvent::Type::Lost;
        event.executor = e;
        event.reason = liveness_.silence("MPI rank " + std::to_string(e + 1));
        return event;
      }
      ::usleep(250);
    } while (monotonic_seconds() < deadline);
    return std::nullopt;
  }

  void replace(int e) override {  // a rank cannot be restarted: retire it
    alive_[e] = false;
    mpi::note_rank_lost();
    mpi::post(RetiredMessage{}, e + 1);  // if it wakes up, it leaves
  }

  void cancel(int e) override {
    if (alive_[e]) send_control(e, AbandonMessage{});
  }

  void abandon() override {
    for (int e = 0; e < size(); e++)
      if (alive_[e]) send_control(e, AbandonMessage{});
  }

  void shutdown() override {}  // ranks stop when MPI is finalised at exit

 private:
  double timeout_;
  Liveness liveness_;
  std::vector<bool> alive_;
};

}  // namespace

std::unique_ptr<ExecutorPool> make_mpi_pool(double heartbeat_timeout_seconds) {
  return std::make_unique<MpiPool>(heartbeat_timeout_seconds);
}

}  // namespace smallpond
