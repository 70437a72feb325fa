#pragma once
// Executors that only pretend: every attempt ends at once (in the order started), succeeding
// with a made-up output file, or failing or losing its executor with scripted probabilities.
// For measuring the scheduler's own cost on very large jobs (bench/scheduler_sim) and for
// testing it at sizes real executors cannot reach.

#include <cstdint>
#include <deque>
#include <functional>
#include <random>

#include "exec/executor_pool.h"
#include "plan/task.h"

namespace smallpond {

struct SimulationOptions {
  int executors = 1000;
  double fail_probability = 0;  //!< an attempt fails (retryable)
  double lose_probability = 0;  //!< an attempt's executor is lost (crash)
  uint64_t seed = 1;
  //! Called for every attempt started (e.g. to check that its inputs were done).
  std::function<void(const TaskAssignment&)> on_assign;
};

class SimulatedPool : public ExecutorPool {
 public:
  explicit SimulatedPool(SimulationOptions options);
  int size() const override { return options_.executors; }
  void assign(int executor, const TaskAssignment& task) override;
  void send_control(int, const Message&) override {}
  std::optional<ExecutorEvent> wait(double timeout_seconds) override;
  void replace(int) override {}
  void cancel(int executor) override;
  void abandon() override { events_.clear(); }
  void shutdown() override {}
  int64_t attempts() const { return attempts_; }

 private:
  SimulationOptions options_;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> uniform_{0, 1};
  std::deque<ExecutorEvent> events_;
  int64_t attempts_ = 0;
};

//! A job of `tasks` executor tasks in two steps: "a", independent tasks, and "b", each reading
//! `fan_in` consecutive tasks of "a" (the last may read fewer); b's tasks are the job's output.
TaskGraph simulated_graph(int64_t tasks, int fan_in);

}  // namespace smallpond
