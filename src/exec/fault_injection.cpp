#include "exec/fault_injection.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <string>

namespace smallpond {

namespace {

// Passes everything but run() to the wrapped runner.
class WrappingRunner : public TaskRunner {
 public:
  explicit WrappingRunner(std::unique_ptr<TaskRunner> inner) : inner_(std::move(inner)) {}
  std::string export_table(const std::string& table) override {
    return inner_->export_table(table);
  }
  void drop_tables(const std::vector<std::string>& tables) override { inner_->drop_tables(tables); }

 protected:
  std::unique_ptr<TaskRunner> inner_;
};

class CrashOnceRunner : public WrappingRunner {
 public:
  CrashOnceRunner(std::unique_ptr<TaskRunner> inner, std::string marker, std::string prefix)
      : WrappingRunner(std::move(inner)), marker_(std::move(marker)), prefix_(std::move(prefix)) {}
  TaskOutcome run(const TaskAssignment& task) override {
    if (task.label.compare(0, prefix_.size(), prefix_) != 0) return inner_->run(task);
    // O_EXCL: of all executors, exactly one wins the right to crash.
    int fd = ::open(marker_.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd >= 0) {
      ::close(fd);
      ::kill(::getpid(), SIGKILL);
    }
    return inner_->run(task);
  }

 private:
  std::string marker_, prefix_;
};

class SlowOnceRunner : public WrappingRunner {
 public:
  SlowOnceRunner(std::unique_ptr<TaskRunner> inner, std::string marker, double seconds,
                 std::string release)
      : WrappingRunner(std::move(inner)),
        marker_(std::move(marker)),
        seconds_(seconds),
        release_(std::move(release)) {}
  TaskOutcome run(const TaskAssignment& task) override {
    int fd = ::open(marker_.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd >= 0) {
      ::close(fd);
      // Held until the release file appears (tests act while it is held), at most seconds_.
      for (double waited = 0; waited < seconds_; waited += 0.01) {
        if (!release_.empty() && ::access(release_.c_str(), F_OK) == 0) break;
        ::usleep(10000);
      }
    }
    return inner_->run(task);
  }

 private:
  std::string marker_;
  double seconds_;
  std::string release_;
};

class RandomFaultRunner : public WrappingRunner {
 public:
  explicit RandomFaultRunner(std::unique_ptr<TaskRunner> inner)
      : WrappingRunner(std::move(inner)), rng_(std::random_device{}()) {}
  TaskOutcome run(const TaskAssignment& task) override {
    if (task.fault_probability > 0 &&
        std::uniform_real_distribution<double>(0, 1)(rng_) < task.fault_probability) {
      TaskOutcome o;
      o.job = task.job;
      o.task_id = task.task_id;
      o.attempt = task.attempt;
      o.error = task.label + ": injected fault (fault probability " +
                std::to_string(task.fault_probability) + ")";
      o.code = ErrorCode::Io;  // stands for a failure that may pass
      return o;
    }
    return inner_->run(task);
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace

std::unique_ptr<TaskRunner> with_injected_faults(std::unique_ptr<TaskRunner> runner) {
  runner = std::make_unique<RandomFaultRunner>(std::move(runner));
  if (const char* spec = std::getenv("SMALLPOND_FAULT_SLOW_ONCE")) {
    // <marker>:<seconds>[:<release file>]
    std::string s = spec;
    size_t colon = s.find(':');
    std::string marker = s.substr(0, colon);
    std::string rest = colon == std::string::npos ? "" : s.substr(colon + 1);
    size_t second = rest.find(':');
    double seconds = rest.empty() ? 10 : std::atof(rest.c_str());
    std::string release = second == std::string::npos ? "" : rest.substr(second + 1);
    runner = std::make_unique<SlowOnceRunner>(std::move(runner), marker, seconds, release);
  }
  if (const char* spec = std::getenv("SMALLPOND_FAULT_CRASH_ONCE")) {
    std::string s = spec;
    size_t colon = s.find(':');
    std::string prefix = colon == std::string::npos ? "" : s.substr(colon + 1);
    runner = std::make_unique<CrashOnceRunner>(std::move(runner), s.substr(0, colon), prefix);
  }
  return runner;
}

}  // namespace smallpond
