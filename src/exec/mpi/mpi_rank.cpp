// An executor rank: relays tasks from rank 0 to a local executor process and results back, and
// sends heartbeats. The rank itself runs no task, so a task that crashes kills only the local
// process, which is replaced; the attempt comes back as a retryable failure.
#include <unistd.h>

#include <cstdio>

#include "common/system.h"
#include "exec/local_process_pool.h"
#include "exec/mpi/mpi_messages_internal.h"
#include "exec/mpi/mpi_runtime.h"

namespace smallpond {

void run_mpi_executor_rank() {
  const double kHeartbeatSeconds = 1.0;
  int code = 0;
  try {
    LocalProcessPool local(1);
    std::optional<TaskAssignment> running;
    double last_heartbeat = 0;
    for (bool stop = false; !stop;) {
      while (auto message = mpi::try_receive(0, nullptr)) {
        std::string type = message->value("type", "");
        if (type == "shutdown") {
          if (!message->value("finalize", true)) mpi::note_rank_lost();
          stop = true;
          break;
        }
        if (type == "abandon") {
          if (running) local.replace(0);
          running.reset();
        } else if (type == "run") {
          running = TaskAssignment::from_json(message->at("task"));
          local.assign(0, *running);
        } else {
          local.send_control(0, *message);  // export, drop: for the executor process
        }
      }
      if (stop) break;
      if (auto event = local.wait(0.001)) {
        if (event->type == ExecutorEvent::Type::Reply) {
          mpi::send(event->message, 0);
        } else if (event->type == ExecutorEvent::Type::Result) {
          if (running && event->outcome.job == running->job &&
              event->outcome.task_id == running->task_id) {
            mpi::send({{"type", "result"}, {"outcome", event->outcome.to_json()}}, 0);
            running.reset();
          }
        } else {
          local.replace(0);
          if (running) {
            TaskOutcome lost;
            lost.job = running->job;
            lost.task_id = running->task_id;
            lost.attempt = running->attempt;
            lost.error = running->label + ": " + event->reason + " on MPI rank " +
                         std::to_string(mpi_rank());
            lost.retryable = true;
            mpi::send({{"type", "result"}, {"outcome", lost.to_json()}}, 0);
            running.reset();
          }
        }
      }
      double now = monotonic_seconds();
      if (now - last_heartbeat >= kHeartbeatSeconds) {
        if (!mpi::send({{"type", "heartbeat"}}, 0)) break;  // rank 0 is gone
        last_heartbeat = now;
      }
    }
    local.shutdown();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "smallpond executor rank %d: %s\n", mpi_rank(), e.what());
    code = 1;
  }
  std::exit(code);  // runs the MPI finaliser registered by mpi_initialize
}

}  // namespace smallpond
