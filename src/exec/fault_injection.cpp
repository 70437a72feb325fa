#include "exec/fault_injection.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace smallpond {

namespace {

class CrashOnceRunner : public TaskRunner {
 public:
  CrashOnceRunner(std::unique_ptr<TaskRunner> inner, std::string marker)
      : inner_(std::move(inner)), marker_(std::move(marker)) {}
  TaskOutcome run(const TaskAssignment& task) override {
    // O_EXCL: of all executors, exactly one wins the right to crash.
    int fd = ::open(marker_.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd >= 0) {
      ::close(fd);
      ::kill(::getpid(), SIGKILL);
    }
    return inner_->run(task);
  }

 private:
  std::unique_ptr<TaskRunner> inner_;
  std::string marker_;
};

}  // namespace

std::unique_ptr<TaskRunner> with_injected_faults(std::unique_ptr<TaskRunner> runner) {
  if (const char* marker = std::getenv("SMALLPOND_FAULT_CRASH_ONCE"))
    return std::make_unique<CrashOnceRunner>(std::move(runner), marker);
  return runner;
}

}  // namespace smallpond
