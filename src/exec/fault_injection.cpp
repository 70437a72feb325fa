#include "exec/fault_injection.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
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

class SlowOnceRunner : public TaskRunner {
 public:
  SlowOnceRunner(std::unique_ptr<TaskRunner> inner, std::string marker, double seconds)
      : inner_(std::move(inner)), marker_(std::move(marker)), seconds_(seconds) {}
  TaskOutcome run(const TaskAssignment& task) override {
    int fd = ::open(marker_.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd >= 0) {
      ::close(fd);
      ::usleep(static_cast<useconds_t>(seconds_ * 1e6));
    }
    return inner_->run(task);
  }

 private:
  std::unique_ptr<TaskRunner> inner_;
  std::string marker_;
  double seconds_;
};

class RandomFaultRunner : public TaskRunner {
 public:
  explicit RandomFaultRunner(std::unique_ptr<TaskRunner> inner) : inner_(std::move(inner)), rng_(std::random_device{}()) {}
  TaskOutcome run(const TaskAssignment& task) override {
    if (task.fault_probability > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < task.fault_probability) {
      TaskOutcome o;
      o.job = task.job;
      o.task_id = task.task_id;
      o.attempt = task.attempt;
      o.error = task.label + ": injected fault (fault probability " + std::to_string(task.fault_probability) + ")";
      o.retryable = true;
      return o;
    }
    return inner_->run(task);
  }

 private:
  std::unique_ptr<TaskRunner> inner_;
  std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<TaskRunner> with_injected_faults(std::unique_ptr<TaskRunner> runner) {
  runner = std::make_unique<RandomFaultRunner>(std::move(runner));
  if (const char* spec = std::getenv("SMALLPOND_FAULT_SLOW_ONCE")) {
    std::string s = spec;
    size_t colon = s.rfind(':');
    double seconds = colon == std::string::npos ? 10 : std::atof(s.c_str() + colon + 1);
    runner = std::make_unique<SlowOnceRunner>(std::move(runner), s.substr(0, colon), seconds);
  }
  if (const char* marker = std::getenv("SMALLPOND_FAULT_CRASH_ONCE"))
    runner = std::make_unique<CrashOnceRunner>(std::move(runner), marker);
  return runner;
}

}  // namespace smallpond
