#pragma once
// Executors as threads of this process, talking the same protocol over in-memory queues.
// For tests: scheduling logic runs without processes, and a runner can simulate a crash by
// throwing SimulatedCrash (the executor thread dies; the pool reports it Lost).

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <vector>

#include "exec/executor_loop.h"
#include "exec/executor_pool.h"

namespace smallpond {

struct SimulatedCrash {
  std::string reason = "simulated crash";
  bool out_of_memory = false;  //!< as if the kernel's out-of-memory killer ended it
};

class InProcessPool : public ExecutorPool {
 public:
  using RunnerFactory = std::function<std::unique_ptr<TaskRunner>(int executor)>;
  InProcessPool(int executors, RunnerFactory factory);
  ~InProcessPool() override;

  int size() const override { return static_cast<int>(executors_.size()); }
  void assign(int executor, const TaskAssignment& task) override;
  void send_control(int executor, const Message& message) override;
  std::optional<ExecutorEvent> wait(double timeout_seconds) override;
  void replace(int executor) override;
  //! A thread cannot be stopped mid-task: it finishes the attempt, whose result is dropped.
  void cancel(int executor) override;
  void abandon() override;
  void shutdown() override;

 private:
  struct Executor;
  void start(int executor);
  void post(ExecutorEvent event);

  RunnerFactory factory_;
  std::vector<std::unique_ptr<Executor>> executors_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<ExecutorEvent> events_;
  // Attempts given to each executor and not finished (job, task, attempt), and those cancelled.
  std::vector<std::set<std::tuple<int64_t, int, int>>> running_;
  std::set<std::tuple<int64_t, int, int>> cancelled_;
};

}  // namespace smallpond
