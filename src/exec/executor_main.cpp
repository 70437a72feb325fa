#include "exec/executor_main.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
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
    // The end wakes it at once: the scheduler waits for executors to leave when it shuts down.
    std::mutex mutex;
    std::condition_variable wake;
    bool done = false;
    std::thread heartbeat([&] {
      std::unique_lock<std::mutex> lock(mutex);
      while (!done) {
        lock.unlock();
        try {
          channel.send(HeartbeatMessage{});
        } catch (const std::exception&) {
          return;  // the scheduler is gone; the serving loop notices too
        }
        lock.lock();
        wake.wait_for(lock, std::chrono::seconds(1), [&] { return done; });
      }
    });
    auto stop_heartbeat = [&] {
      {
        std::lock_guard<std::mutex> lock(mutex);
        done = true;
      }
      wake.notify_all();
      heartbeat.join();
    };
    auto runner = with_injected_faults(std::make_unique<DuckDBTaskRunner>());
    try {
      serve_executor(channel, *runner);
    } catch (...) {
      stop_heartbeat();
      throw;
    }
    stop_heartbeat();
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
