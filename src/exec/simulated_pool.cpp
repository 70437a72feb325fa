#include "exec/simulated_pool.h"

#include <algorithm>

namespace smallpond {

SimulatedPool::SimulatedPool(SimulationOptions options)
    : options_(std::move(options)), rng_(options_.seed) {}

void SimulatedPool::assign(int executor, const TaskAssignment& task) {
  attempts_++;
  if (options_.on_assign) options_.on_assign(task);
  ExecutorEvent event;
  event.executor = executor;
  double draw = uniform_(rng_);
  if (draw < options_.lose_probability) {
    event.type = ExecutorEvent::Type::Lost;
    event.reason = "simulated crash";
  } else {
    event.type = ExecutorEvent::Type::Result;
    TaskOutcome& o = event.outcome;
    o.job = task.job;
    o.task_id = task.task_id;
    o.attempt = task.attempt;
    o.ok = draw >= options_.lose_probability + options_.fail_probability;
    o.rows = 1;
    o.seconds = 0.001;
    if (o.ok)
      o.outputs = {DataSet::parquet_files({"/simulated/" + std::to_string(task.task_id)}, "")};
    else
      o.error = task.label + ": simulated failure";
  }
  events_.push_back(std::move(event));
}

std::optional<ExecutorEvent> SimulatedPool::wait(double) {
  if (events_.empty()) return std::nullopt;
  ExecutorEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

void SimulatedPool::cancel(int executor) {
  events_.erase(std::remove_if(events_.begin(), events_.end(),
                               [&](const ExecutorEvent& e) { return e.executor == executor; }),
                events_.end());
}

TaskGraph simulated_graph(int64_t tasks, int fan_in) {
  TaskGraph g;
  g.steps = {"a", "b"};
  int64_t b = std::max<int64_t>(1, tasks / (fan_in + 1));
  int64_t a = std::max<int64_t>(1, tasks - b);
  g.tasks.reserve(a + b);
  auto add = [&](const char* step, int64_t partition, std::vector<int> deps) {
    Task t;
    t.id = static_cast<int>(g.tasks.size());
    t.kind = TaskKind::Sql;
    t.step = step;
    t.partition = static_cast<int>(partition);
    t.deps = std::move(deps);
    t.key = "k" + std::to_string(t.id);
    t.params = {{"sql", "SELECT * FROM {0}"}};
    g.tasks.push_back(std::move(t));
    return g.tasks.back().id;
  };
  for (int64_t i = 0; i < a; i++) add("a", i, {});
  for (int64_t j = 0; j < b; j++) {
    std::vector<int> deps;
    for (int64_t k = j * fan_in; k < std::min(a, (j + 1) * fan_in); k++)
      deps.push_back(static_cast<int>(k));
    if (deps.empty()) deps.push_back(static_cast<int>(a - 1));
    g.outputs.push_back(add("b", j, std::move(deps)));
  }
  for (auto& t : g.tasks) g.step_outputs[t.step].push_back(t.id);
  return g;
}

}  // namespace smallpond
