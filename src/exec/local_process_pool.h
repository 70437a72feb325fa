#pragma once
// Executors as local processes: copies of this program (same binary and arguments), started
// with fork + exec and linked by a socket pair. A crashed executor shows up as a Lost event
// and is replaced on request. Executors die with the process that started them.

#include <memory>
#include <string>
#include <vector>

#include "exec/executor_pool.h"
#include "exec/liveness.h"
#include "exec/process_spawner.h"
#include "exec/socket_channel.h"

namespace smallpond {

class LocalProcessPool : public ExecutorPool {
 public:
  //! An executor silent (no heartbeat, no message) for heartbeat_timeout seconds is killed and
  //! reported Lost.
  //! command: each executor's program (absolute path) and arguments; empty: a copy of this
  //! program, with its own arguments.
  explicit LocalProcessPool(int executors, double heartbeat_timeout = 10,
                            std::vector<std::string> command = {});
  ~LocalProcessPool() override;

  int size() const override { return static_cast<int>(executors_.size()); }
  void assign(int executor, const TaskAssignment& task) override;
  void send_control(int executor, const Message& message) override;
  std::optional<ExecutorEvent> wait(double timeout_seconds) override;
  void replace(int executor) override;
  void cancel(int executor) override { replace(executor); }
  void abandon() override;
  void shutdown() override;

 private:
  struct Executor {
    int pid = -1;
    std::unique_ptr<SocketChannel> channel;
    int64_t oom_kills = -1;  // the system's OOM kill count when its current attempt started
  };
  Liveness liveness_;
  std::vector<std::string> command_;
  ProcessSpawner spawner_;
  void start(int executor);
  //! Waits for the process; returns how it ended. *oom: the kernel's OOM killer ended it (a
  //! SIGKILL while the OOM kill count grew).
  std::string reap(int executor, bool* oom = nullptr);
  //! A message that came within timeout_ms (0: only what is there now), as wait() returns it.
  std::optional<ExecutorEvent> receive(int timeout_ms);
  std::vector<Executor> executors_;
};

//! Environment variables that mark a process as an executor.
extern const char* const kExecutorFdVariable;
extern const char* const kExecutorIdVariable;

}  // namespace smallpond
