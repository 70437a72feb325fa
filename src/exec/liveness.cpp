#include "exec/liveness.h"

#include "common/system.h"
#include "exec/messages.h"

namespace smallpond {

Liveness::Liveness(int executors, double timeout_seconds)
    : timeout_(timeout_seconds),
      last_heard_(executors, monotonic_seconds()),
      reported_(executors, false) {}

void Liveness::heard(int executor) {
  last_heard_.at(executor) = monotonic_seconds();
  reported_.at(executor) = false;
}

void Liveness::unreachable(int executor) { last_heard_.at(executor) = -1e18; }

int Liveness::next_silent(double now) {
  for (size_t e = 0; e < last_heard_.size(); e++) {
    if (reported_[e] || now - last_heard_[e] <= timeout_) continue;
    reported_[e] = true;
    return static_cast<int>(e);
  }
  return -1;
}

std::string Liveness::silence(const std::string& who) const {
  return who + " stopped answering (no heartbeat for " +
         std::to_string(static_cast<int>(timeout_)) + "s)";
}

std::optional<ExecutorEvent> event_of(int executor, Message message) {
  ExecutorEvent event;
  event.executor = executor;
  if (auto* reply = std::get_if<ExportedMessage>(&message)) {
    event.type = ExecutorEvent::Type::Reply;
    event.exported = std::move(*reply);
    return event;
  }
  if (auto* result = std::get_if<ResultMessage>(&message)) {
    event.type = ExecutorEvent::Type::Result;
    event.outcome = std::move(result->outcome);
    return event;
  }
  return std::nullopt;  // a heartbeat, or what a newer executor sends and this one does not take
}

}  // namespace smallpond
