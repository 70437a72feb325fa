#include "exec/executor_relay.h"

#include <cstdio>
#include <deque>
#include <map>
#include <set>

#include "common/system.h"
#include "exec/local_process_pool.h"

namespace smallpond {

namespace {

constexpr int kScheduler = RelayTransport::kScheduler;

class ExecutorRelay {
 public:
  ExecutorRelay(RelayTransport& transport, const std::vector<std::string>& command,
                const ObjectStore* object_store, const TaskObserver* task_observer)
      : transport_(transport),
        local_(1, 10, command),
        object_store_(object_store),
        task_observer_(task_observer) {}

  bool run() {
    const double kHeartbeatSeconds = 1.0;
    double last_heartbeat = 0;
    last_from_scheduler_ = monotonic_seconds();
    while (!stop_) {
      drain();
      while (!inbox_.empty() && !stop_) {
        auto [from, message] = std::move(inbox_.front());
        inbox_.pop_front();
        if (from == kScheduler)
          from_scheduler(message);
        else if (auto* tables = std::get_if<TablesMessage>(&message))
          from_peer(*tables);
      }
      if (stop_) break;
      if (auto event = local_.wait(0.001)) from_executor(*event);
      double now = monotonic_seconds();
      // Silence from a scheduler that sends heartbeats on its own means it is gone (killed, its
      // node lost) or stopped. Nobody would ever tell this relay to stop: it leaves.
      if (transport_.scheduler_heartbeats() &&
          now - last_from_scheduler_ > transport_.scheduler_timeout())
        leave(transport_.scheduler_name() + " has been silent for " +
              std::to_string(static_cast<int>(now - last_from_scheduler_)) + "s");
      if (!stop_ && now - last_heartbeat >= kHeartbeatSeconds) {
        to_scheduler(HeartbeatMessage{});
        last_heartbeat = now;
      }
    }
    if (running_) end_running("the executor node on " + transport_.where() + " stopped");
    local_.shutdown();
    return finalize_;
  }

 private:
  // Stops for good. Without a scheduler the run has failed: the whole cluster job ends.
  void leave(const std::string& why, bool scheduler_lost = true) {
    if (stop_) return;
    std::fprintf(stderr, "smallpond executor on %s: %s; %s\n", transport_.where().c_str(),
                 why.c_str(), scheduler_lost ? "ending the cluster job" : "exiting");
    stop_ = true;
    finalize_ = false;
    if (!scheduler_lost) return;
    local_.shutdown();
    transport_.abort_job();
  }

  // Receives what has arrived, for the main loop to handle in order.
  void drain() {
    while (auto received = transport_.try_receive()) {
      if (received->first == kScheduler) last_from_scheduler_ = monotonic_seconds();
      inbox_.push_back(std::move(*received));
    }
  }

  // A send to the scheduler that it never takes (it is gone) must not block this relay for
  // ever; one it is only slow to take (busy, while its heartbeats still come) is waited for.
  void to_scheduler(const Message& message) {
    if (stop_) return;
    auto alive = [this] {
      drain();
      return transport_.scheduler_heartbeats() &&
             monotonic_seconds() - last_from_scheduler_ <= transport_.scheduler_timeout();
    };
    if (!transport_.send(kScheduler, message, transport_.scheduler_timeout(), alive))
      leave(transport_.scheduler_name() + " does not take messages any more");
  }

  void from_scheduler(Message& message) {
    if (std::holds_alternative<RetiredMessage>(message)) {
      // The scheduler counted this executor as lost (it was stopped, or too slow to answer) and
      // runs its tasks elsewhere: it is not part of the job any more.
      leave("retired by " + transport_.scheduler_name() + " after missing its heartbeats",
            /*scheduler_lost=*/false);
    } else if (auto* shutdown = std::get_if<ShutdownMessage>(&message)) {
      finalize_ = shutdown->finalize;
      stop_ = true;
    } else if (std::holds_alternative<AbandonMessage>(message)) {
      // The job failed: what it asked for is not wanted.
      exports_.clear();
      if (running_) {
        replace_executor();
        end_running("abandoned: the job failed");
      }
      waiting_.reset();
      store_.clear();
    } else if (auto* run = std::get_if<RunMessage>(&message)) {
      waiting_ = std::move(run->task);
      start_if_ready();
    } else if (auto* request = std::get_if<ExportMessage>(&message)) {
      exports_.push_back({request->to, request->tables});
      local_.send_control(0, message);
    } else if (auto* drop = std::get_if<DropMessage>(&message)) {
      for (auto& t : drop->tables) {
        store_.erase(t);  // copies sent here and not used go too
        if (put_.erase(t)) release(t);
      }
      local_.send_control(0, message);
    }
    // AliveMessage: only a sign of life; others are not for a relay
  }

  void from_peer(TablesMessage& message) {
    for (auto& [name, data] : message.tables) store_[name] = std::move(data);
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
    observe_start();
    if (std::string problem = resolve_references(*running_); !problem.empty()) {
      TaskOutcome failed;
      failed.job = running_->job;
      failed.task_id = running_->task_id;
      failed.attempt = running_->attempt;
      failed.error = running_->label + ": " + problem + " (on " + transport_.where() + ")";
      failed.code = ErrorCode::ExecutorLost;  // retried; the owner's loss recomputes the input
      to_scheduler(ResultMessage{failed});
      end_running(failed.error);
      return;
    }
    local_.assign(0, *running_);
  }

  // The observer sees each attempt from before its inputs are fetched to its outcome.
  void observe_start() {
    if (task_observer_ && task_observer_->started)
      tell_observer([&] { task_observer_->started(running_->label, running_->attempt); });
  }

  // The running attempt is over: "" when it succeeded, else what went wrong.
  void end_running(const std::string& error) {
    if (task_observer_ && task_observer_->finished)
      tell_observer([&] { task_observer_->finished(error); });
    running_.reset();
  }

  // What the observer throws must not stop this node from serving: it is only logged.
  template <typename Call>
  void tell_observer(const Call& call) {
    try {
      call();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "smallpond executor on %s: the task observer failed on %s: %s\n",
                   transport_.where().c_str(), running_->label.c_str(), e.what());
    }
  }

  // In-memory inputs handed over as references into the object store become bytes here, on
  // this node: the object store moved them, not the driver. "" or what went wrong.
  std::string resolve_references(TaskAssignment& task) {
    for (auto& item : task.attachments.items()) {
      if (!is_reference_attachment(item.value())) continue;
      if (!object_store_)
        return "in-memory input " + item.key() +
               " came as an object store reference, but this node has no object store";
      try {
        item.value() = binary_value(object_store_->get(attachment_reference(item.value())));
      } catch (const std::exception& e) {
        return "in-memory input " + item.key() + " is lost from the object store: " + e.what();
      }
    }
    return "";
  }

  // Puts exported tables into the object store, replacing their bytes by references; false
  // (bytes left as they are) when the store refuses one.
  bool put_into_store(ExportedMessage& reply) {
    std::map<std::string, Json> references;
    for (auto& [name, data] : reply.tables) {
      try {
        references[name] = binary_value(object_store_->put(name, binary_bytes(data)));
        put_.insert(name);
      } catch (const std::exception& e) {
        std::fprintf(stderr,
                     "smallpond executor on %s: the object store refused table %s (%s); "
                     "sending its bytes through the driver\n",
                     transport_.where().c_str(), name.c_str(), e.what());
        return false;
      }
    }
    for (auto& [name, data] : reply.tables) data = std::move(references[name]);
    reply.by_reference = true;
    return true;
  }

  void release(const std::string& table) {
    try {
      object_store_->release(table);
    } catch (const std::exception& e) {  // it goes when this node ends, at the latest
      std::fprintf(stderr, "smallpond executor on %s: releasing table %s: %s\n",
                   transport_.where().c_str(), table.c_str(), e.what());
    }
  }

  void from_executor(ExecutorEvent& event) {
    if (event.type == ExecutorEvent::Type::Reply) {
      forward_export(event.exported);
    } else if (event.type == ExecutorEvent::Type::Result) {
      if (running_ && event.outcome.job == running_->job &&
          event.outcome.task_id == running_->task_id) {
        to_scheduler(ResultMessage{event.outcome});
        end_running(event.outcome.ok ? "" : event.outcome.error);
      }
    } else {
      replace_executor();
      if (running_) {
        TaskOutcome lost;
        lost.job = running_->job;
        lost.task_id = running_->task_id;
        lost.attempt = running_->attempt;
        lost.error = running_->label + ": " + event.reason + " on " + transport_.where();
        lost.code = event.out_of_memory ? ErrorCode::OutOfMemory : ErrorCode::ExecutorLost;
        to_scheduler(ResultMessage{lost});
        end_running(lost.error);
      }
    }
  }

  // The local executor's answer to an export: to the scheduler, or (direct transfer) the bytes
  // to the executor that needs them and only their names to the scheduler.
  void forward_export(ExportedMessage& reply) {
    int to = -1;
    if (!exports_.empty()) {
      to = exports_.front().to;
      exports_.pop_front();
    }
    if (to < 0) {
      if (object_store_ && !reply.tables.empty()) put_into_store(reply);
      to_scheduler(reply);
      return;
    }
    std::vector<std::string> names;
    for (auto& [name, data] : reply.tables) names.push_back(name);
    // While it waits it receives, so two relays sending each other tables do not deadlock.
    // Tables that did not get there count as missing (the scheduler recomputes them).
    bool sent = transport_.send(to, TablesMessage{std::move(reply.tables)},
                                transport_.scheduler_timeout(), [this] {
                                  drain();
                                  return false;
                                });
    ExportedMessage ack;
    ack.missing = std::move(reply.missing);
    ack.error = std::move(reply.error);
    ack.delivered_to = to;
    if (sent)
      ack.delivered = std::move(names);
    else
      ack.missing.insert(ack.missing.end(), names.begin(), names.end());
    to_scheduler(ack);
  }

  // A fresh executor process: the old one's tables are gone, and exports it had not answered
  // are answered here as missing (so that the scheduler recomputes instead of waiting).
  void replace_executor() {
    local_.replace(0);
    for (auto& pending : exports_) {
      ExportedMessage missing;
      missing.missing = pending.tables;
      to_scheduler(missing);
    }
    exports_.clear();
  }

  struct PendingExport {
    int to;                           // executor to send the tables to; -1: to the scheduler
    std::vector<std::string> tables;  // names asked for
  };
  RelayTransport& transport_;
  LocalProcessPool local_;
  std::optional<TaskAssignment> running_, waiting_;
  std::deque<PendingExport> exports_;  // answered by the executor in order
  std::map<std::string, Json> store_;  // tables other relays sent here, until a task uses them
  const ObjectStore* object_store_;    // null: tables go through the driver as bytes
  const TaskObserver* task_observer_;  // null: nobody watches the tasks
  std::set<std::string> put_;          // tables put into the object store, until dropped
  std::deque<std::pair<int, Message>> inbox_;  // received, not yet handled: (sender, message)
  bool stop_ = false;
  bool finalize_ = true;
  double last_from_scheduler_ = 0;
};

}  // namespace

bool run_executor_relay(RelayTransport& transport, const std::vector<std::string>& command,
                        const ObjectStore* object_store, const TaskObserver* task_observer) {
  return ExecutorRelay(transport, command, object_store, task_observer).run();
}

}  // namespace smallpond
