#include "exec/executor_main.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "exec/duckdb_task_runner.h"
#include "exec/fault_injection.h"
#include "exec/local_process_pool.h"
#include "exec/socket_channel.h"

namespace smallpond {

bool is_executor_process() { return std::getenv(kExecutorFdVariable) != nullptr; }

void run_executor_process() {
  int fd = std::atoi(std::getenv(kExecutorFdVariable));
  int code = 0;
  try {
    SocketChannel channel(fd);
    auto runner = with_injected_faults(std::make_unique<DuckDBTaskRunner>());
    serve_executor(channel, *runner);
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
