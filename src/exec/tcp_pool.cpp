#include "exec/tcp_pool.h"

#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "common/system.h"
#include "exec/executor_relay.h"
#include "exec/liveness.h"
#include "exec/socket_channel.h"
#include "exec/tcp_socket.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

class TcpPool : public ExecutorPool {
 public:
  TcpPool(const std::string& address, int executors, double heartbeat_timeout,
          double connect_timeout)
      : address_(address),
        connect_timeout_(connect_timeout),
        liveness_(executors, heartbeat_timeout),
        slots_(executors) {
    listen_fd_ = tcp_listen(address, nullptr);
    double deadline = monotonic_seconds() + connect_timeout;
    while (connected() < executors && monotonic_seconds() < deadline) {
      pollfd p{listen_fd_, POLLIN, 0};
      ::poll(&p, 1, 100);
      accept_waiting();
    }
    if (connected() < executors) {
      ::close(listen_fd_);
      throw InvalidInputError(std::to_string(connected()) + " of " + std::to_string(executors) +
                              " executor nodes connected to " + address + " within " +
                              std::to_string(static_cast<int>(connect_timeout)) +
                              "s; start them with `smallpond relay " + address + "`");
    }
  }

  ~TcpPool() override {
    shutdown();
    if (listen_fd_ >= 0) ::close(listen_fd_);
  }

  int size() const override { return static_cast<int>(slots_.size()); }
  bool alive(int e) const override { return e >= 0 && e < size() && slots_[e] != nullptr; }
  // A node lost lately may come back (Ray restarts actors; a person restarts a relay): as long
  // as nodes may take connect_timeout to connect at the start.
  bool awaiting_executors() const override {
    return monotonic_seconds() - last_lost_ < connect_timeout_;
  }
  // Tasks run in the node's own local executor process; a crash there comes back as a
  // failed attempt. A lost connection is the node itself going away.
  bool losses_are_nodes() const override { return true; }

  void assign(int e, const TaskAssignment& task) override { send_control(e, RunMessage{task}); }

  void send_control(int e, const Message& message) override {
    if (!slots_.at(e)) return;
    try {
      slots_[e]->send(message);
    } catch (const Error&) {
      liveness_.unreachable(e);  // gone: wait() reports it lost
    }
  }

  std::optional<ExecutorEvent> wait(double timeout_seconds) override {
    accept_waiting();
    // What already came is read before a node is judged silent (see LocalProcessPool::wait).
    if (auto event = receive(0)) return event;
    int silent = liveness_.next_silent(monotonic_seconds());
    if (silent >= 0 && slots_[silent]) return lost(silent, liveness_.silence(name(silent)));
    return receive(static_cast<int>(timeout_seconds * 1000));
  }

  std::optional<ExecutorEvent> receive(int timeout_ms) {
    std::vector<pollfd> fds;
    std::vector<int> ids;
    for (int e = 0; e < size(); e++) {
      if (!slots_[e]) continue;
      fds.push_back({slots_[e]->fd(), POLLIN, 0});
      ids.push_back(e);
    }
    fds.push_back({listen_fd_, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), timeout_ms) <= 0) return std::nullopt;
    for (size_t k = 0; k + 1 < fds.size(); k++) {
      if (!fds[k].revents) continue;
      int e = ids[k];
      auto message = slots_[e]->receive();
      if (!message)
        return lost(e, name(e) +
                           " closed its connection (it ended or its machine "
                           "is gone)");
      liveness_.heard(e);
      if (auto event = event_of(e, std::move(*message))) return event;
    }
    accept_waiting();
    return std::nullopt;
  }

  // A lost node cannot be restarted from here: its slot waits for a node that connects.
  void replace(int e) override {
    slots_.at(e).reset();
    last_lost_ = monotonic_seconds();
  }

  void cancel(int e) override { send_control(e, AbandonMessage{}); }

  void abandon() override {
    for (int e = 0; e < size(); e++) send_control(e, AbandonMessage{});
  }

  void shutdown() override {
    for (int e = 0; e < size(); e++) {
      send_control(e, ShutdownMessage{});
      slots_[e].reset();
    }
  }

 private:
  int connected() const {
    int n = 0;
    for (auto& s : slots_) n += s != nullptr;
    return n;
  }

  std::string name(int e) const {
    return "executor node " + std::to_string(e) + " (connected to " + address_ + ")";
  }

  // Nodes that connected take free slots; one with no free slot is turned away.
  void accept_waiting() {
    while (true) {
      int fd = tcp_accept(listen_fd_);
      if (fd < 0) return;
      int free = -1;
      for (int e = 0; e < size() && free < 0; e++)
        if (!slots_[e]) free = e;
      auto channel = std::make_unique<SocketChannel>(fd);
      if (free < 0) {
        try {
          channel->send(RetiredMessage{});  // not needed: it leaves
        } catch (const Error&) {
        }
        continue;
      }
      slots_[free] = std::move(channel);
      liveness_.heard(free);
    }
  }

  ExecutorEvent lost(int e, const std::string& reason) {
    slots_[e].reset();
    last_lost_ = monotonic_seconds();
    ExecutorEvent event;
    event.type = ExecutorEvent::Type::Lost;
    event.executor = e;
    event.reason = reason;
    return event;
  }

  std::string address_;
  double connect_timeout_;
  double last_lost_ = -1e18;  // when a node was last lost (monotonic seconds)
  Liveness liveness_;
  std::vector<std::unique_ptr<SocketChannel>> slots_;
  int listen_fd_ = -1;
};

}  // namespace

std::unique_ptr<ExecutorPool> make_tcp_pool(const std::string& address, int executors,
                                            double heartbeat_timeout, double connect_timeout) {
  return std::make_unique<TcpPool>(address, executors, heartbeat_timeout, connect_timeout);
}

}  // namespace smallpond

// ---- the executor node's side ----

namespace smallpond {

namespace {

class TcpRelayTransport : public RelayTransport {
 public:
  TcpRelayTransport(const std::string& address, double connect_timeout)
      : address_(address), channel_(tcp_connect(address, connect_timeout)) {}

  std::optional<std::pair<int, Message>> try_receive() override {
    pollfd p{channel_.fd(), POLLIN, 0};
    if (gone_ || ::poll(&p, 1, 0) <= 0) return std::nullopt;
    auto message = channel_.receive();
    if (!message) {
      // The driver ended (or its machine is gone): nothing will come any more.
      std::fprintf(stderr,
                   "smallpond executor node: the driver at %s closed the connection; "
                   "stopping\n",
                   address_.c_str());
      gone_ = true;
      return std::make_pair(kScheduler, Message{ShutdownMessage{}});
    }
    return std::make_pair(kScheduler, std::move(*message));
  }

  bool send(int to, const Message& message, double, const std::function<bool()>&) override {
    if (to != kScheduler || gone_) return false;  // no direct transfers between nodes
    try {
      channel_.send(message);
      return true;
    } catch (const Error&) {
      gone_ = true;
      return false;
    }
  }

  // The driver sends no heartbeats; its end shows as a closed connection instead.
  bool scheduler_heartbeats() const override { return false; }
  double scheduler_timeout() const override { return 0; }
  void abort_job() override {}
  std::string where() const override { return "the executor node of " + address_; }
  std::string scheduler_name() const override { return "the driver at " + address_; }

 private:
  std::string address_;
  SocketChannel channel_;
  bool gone_ = false;
};

}  // namespace

void run_tcp_executor_node(const std::string& address, const std::vector<std::string>& command,
                           double connect_timeout, const ObjectStore* object_store,
                           const TaskObserver* task_observer) {
  TcpRelayTransport transport(address, connect_timeout);
  run_executor_relay(transport, command, object_store, task_observer);
}

}  // namespace smallpond
