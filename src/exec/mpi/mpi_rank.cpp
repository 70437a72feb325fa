// An executor rank: relays tasks from rank 0 to a local executor process and results back, and
// sends heartbeats. The rank itself runs no task, so a task that crashes kills only the local
// process, which is replaced; the attempt comes back as a retryable failure.
//
// In-memory tables move between ranks directly: an "export" from rank 0 may name the executor
// that needs the tables ("to"); this rank then sends the exported bytes to that rank and tells
// rank 0 only their names. The receiving rank keeps them until a task that lists them under
// "delivered" arrives (the task waits for any still on the way), then attaches them to it.
#include <unistd.h>

#include <cstdio>
#include <deque>
#include <map>

#include "common/system.h"
#include "exec/local_process_pool.h"
#include "exec/messages.h"
#include "exec/mpi/mpi_messages_internal.h"
#include "exec/mpi/mpi_runtime.h"

namespace smallpond {

namespace {

class RankRelay {
 public:
  RankRelay() : local_(1) {}

  //! Relays until rank 0 says stop or retires this rank.
  bool run() {
    const double kHeartbeatSeconds = 1.0;
    double last_heartbeat = 0;
    last_from_scheduler_ = monotonic_seconds();
    while (!stop_) {
      drain();
      while (!inbox_.empty() && !stop_) {
        auto [from, message] = std::move(inbox_.front());
        inbox_.pop_front();
        if (from == 0)
          from_scheduler(message);
        else
          from_peer(message);
      }
      if (stop_) break;
      if (auto event = local_.wait(0.001)) from_executor(*event);
      double now = monotonic_seconds();
      // Rank 0 sends heartbeats from a thread of its own: silence means it is gone (killed,
      // its node lost) or stopped. Nobody would ever tell this rank to stop: it leaves.
      if (mpi::scheduler_heartbeats() && now - last_from_scheduler_ > mpi::scheduler_timeout())
        leave("rank 0 (the scheduler) has been silent for " +
              std::to_string(static_cast<int>(now - last_from_scheduler_)) + "s");
      if (!stop_ && now - last_heartbeat >= kHeartbeatSeconds) {
        to_scheduler(message_of(MessageType::Heartbeat));
        last_heartbeat = now;
      }
    }
    local_.shutdown();
    return true;
  }

 private:
  // Stops this rank without finalising MPI (a collective that a lost rank would never join).
  // Without a scheduler the run has failed: the whole MPI job is aborted, so that mpirun ends
  // with a failure (with --enable-recovery it would otherwise report success) and no rank is
  // left waiting.
  void leave(const std::string& why, bool scheduler_lost = true) {
    if (stop_) return;
    std::fprintf(stderr, "smallpond executor rank %d: %s; %s\n", mpi_rank(), why.c_str(),
                 scheduler_lost ? "aborting the MPI job" : "exiting");
    mpi::note_rank_lost();
    stop_ = true;
    if (scheduler_lost) {
      local_.shutdown();
      MPI_Abort(MPI_COMM_WORLD, 3);
    }
  }

  // Receives what has arrived, for the main loop to handle in order.
  void drain() {
    int from = -1;
    while (auto message = mpi::try_receive(MPI_ANY_SOURCE, &from)) {
      if (from == 0) last_from_scheduler_ = monotonic_seconds();
      inbox_.emplace_back(from, std::move(*message));
    }
  }

  // A send to rank 0 that it never takes (it is gone) must not block this rank for ever; one
  // it is only slow to take (busy, while its heartbeats still come) is waited for.
  void to_scheduler(const Json& message) {
    if (stop_) return;
    auto alive = [this] {
      drain();
      return mpi::scheduler_heartbeats() &&
             monotonic_seconds() - last_from_scheduler_ <= mpi::scheduler_timeout();
    };
    if (!mpi::send_within(message, 0, mpi::scheduler_timeout(), alive))
      leave("rank 0 (the scheduler) does not take messages any more");
  }

  void from_scheduler(Json& message) {
    MessageType type = message_type(message);
    if (type == MessageType::Alive) return;
    if (type == MessageType::Retired) {
      // Rank 0 counted this rank as lost (it was stopped, or too slow to answer) and runs its
      // tasks elsewhere: it is not part of the job any more.
      leave("retired by rank 0 after missing its heartbeats", /*scheduler_lost=*/false);
      return;
    }
    if (type == MessageType::Shutdown) {
      if (!message.value("finalize", true)) mpi::note_rank_lost();
      stop_ = true;
    } else if (type == MessageType::Abandon) {  // the job failed: what it asked for is not wanted
      exports_.clear();
      if (running_) replace_executor();
      running_.reset();
      waiting_.reset();
      store_.clear();
    } else if (type == MessageType::Run) {
      waiting_ = TaskAssignment::from_json(message.at("task"));
      start_if_ready();
    } else if (type == MessageType::Export) {
      exports_.push_back({message.value("to", -1), message.at("tables")});
      local_.send_control(0, message);
    } else {
      if (type == MessageType::Drop)  // copies sent here and not used go too
        for (auto& t : message.at("tables")) store_.erase(t.get<std::string>());
      local_.send_control(0, message);
    }
  }

  void from_peer(Json& message) {
    if (message_type(message) != MessageType::Tables) return;
    for (auto& [name, data] : message.at("tables").items()) store_[name] = std::move(data);
    start_if_ready();
  }

  // Starts the waiting task once every table delivered for it has arrived.
  void start_if_ready() {
    if (!waiting_) return;
    for (auto& t : waiting_->delivered)
      if (!store_.count(t)) return;
    for (auto& t : waiting_->delivered) {
      auto it = store_.find(t);
      waiting_->attachments[it->first] = std::move(it->second);
      store_.erase(it);
    }
    running_ = std::move(waiting_);
    waiting_.reset();
    local_.assign(0, *running_);
  }

  void from_executor(ExecutorEvent& event) {
    if (event.type == ExecutorEvent::Type::Reply) {
      Json& reply = event.message;
      int to = -1;
      if (message_type(reply) == MessageType::Exported && !exports_.empty()) {
        to = exports_.front().to;
        exports_.pop_front();
      }
      if (to < 0) {
        to_scheduler(reply);
        return;
      }
      Json names = Json::array();
      for (auto& [name, data] : reply["tables"].items()) names.push_back(name);
      // While it waits it receives, so two ranks sending each other tables do not deadlock.
      // Tables that did not get there count as missing (rank 0 recomputes them).
      bool sent = mpi::send_within({{"type", message_type_name(MessageType::Tables)},
                                    {"tables", std::move(reply["tables"])}},
                                   to + 1, mpi::scheduler_timeout(), [this] {
                                     drain();
                                     return false;
                                   });
      Json missing = reply.value("missing", Json::array());
      if (!sent)
        for (auto& n : names) missing.push_back(n);
      Json ack = {{"type", message_type_name(MessageType::Exported)},
                  {"tables", Json::object()},
                  {"delivered", sent ? names : Json::array()},
                  {"delivered_to", to},
                  {"missing", missing}};
      if (reply.contains("error")) ack["error"] = reply["error"];
      to_scheduler(ack);
    } else if (event.type == ExecutorEvent::Type::Result) {
      if (running_ && event.outcome.job == running_->job &&
          event.outcome.task_id == running_->task_id) {
        to_scheduler(result_message(event.outcome));
        running_.reset();
      }
    } else {
      replace_executor();
      if (running_) {
        TaskOutcome lost;
        lost.job = running_->job;
        lost.task_id = running_->task_id;
        lost.attempt = running_->attempt;
        lost.error =
            running_->label + ": " + event.reason + " on MPI rank " + std::to_string(mpi_rank());
        lost.code = event.out_of_memory ? ErrorCode::OutOfMemory : ErrorCode::ExecutorLost;
        to_scheduler(result_message(lost));
        running_.reset();
      }
    }
  }

  // A fresh executor process: the old one's tables are gone, and exports it had not answered
  // are answered here as missing (so that rank 0 recomputes instead of waiting).
  void replace_executor() {
    local_.replace(0);
    for (auto& pending : exports_)
      to_scheduler({{"type", message_type_name(MessageType::Exported)},
                    {"tables", Json::object()},
                    {"missing", pending.tables}});
    exports_.clear();
  }

  struct PendingExport {
    int to;       // executor to send the tables to; -1: back to rank 0
    Json tables;  // names asked for
  };
  LocalProcessPool local_;
  std::optional<TaskAssignment> running_, waiting_;
  std::deque<PendingExport> exports_;       // answered by the executor in order
  std::map<std::string, Json> store_;       // tables other ranks sent here, until a task uses them
  std::deque<std::pair<int, Json>> inbox_;  // received, not yet handled: (source rank, message)
  bool stop_ = false;
  double last_from_scheduler_ = 0;
};

}  // namespace

void run_mpi_executor_rank() {
  int code = 0;
  try {
    if (!RankRelay().run()) code = 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "smallpond executor rank %d: %s\n", mpi_rank(), e.what());
    code = 1;
  }
  std::exit(code);  // runs the MPI finaliser registered by mpi_initialize
}

}  // namespace smallpond
