#include "exec/executor_main.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>

#include "exec/duckdb_task_runner.h"
#include "exec/fault_injection.h"
#include "exec/local_process_pool.h"
#include "exec/messages.h"
#include "exec/socket_channel.h"

namespace smallpond {

bool is_executor_process() { return std::getenv(kExecutorFdVariable) != nullptr; }

void run_executor_process() {
  int fd = std::atoi(std::getenv(kExecutorFdVariable));
  int code = 0;
  try {
    SocketChannel channel(fd);
    // Heartbeats from their own thread: a process that is frozen (stopped, deadlocked, its
    // machine gone) falls silent even in the middle of a long task; a busy one does not.
    std::atomic<bool> done{false};
    std::thread heartbeat([&] {
      while (!done) {
        try {
          channel.send(HeartbeatMessage{});
        } catch (const std::exception&) {
          return;  // the scheduler is gone; the serving loop notices too
        }
        for (int i = 0; i < 10 && !done; i++)
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
    auto runner = with_injected_faults(std::make_unique<DuckDBTaskRunner>());
    try {
      serve_executor(channel, *runner);
    } catch (...) {
      done = true;
      heartbeat.join();
      throw;
    }
    done = true;
    heartbeat.join();
  } catch (const std::exception& e) {
    const char* id = std::getenv(kExecutorIdVariable);
    std::fprintf(stderr, "smallpond executor %s: %s\n", id ? id : "?", e.what());
    code = 1;
  }
  std::fflush(stderr);
  // Skip the program's static destructors: this process never ran the program's own work.
  ::_exit(code);
}

}  // namespace smallpond
