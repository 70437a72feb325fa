#include "exec/progress_snapshot.h"

#include "common/system.h"

namespace smallpond {

void ProgressSnapshot::start(const TaskGraph& graph) {
  std::lock_guard<std::mutex> lock(mutex_);
  progress_ = JobProgress{};
  step_index_.clear();
  for (auto& t : graph.tasks) {
    if (!t.on_executor()) continue;
    auto [it, added] = step_index_.emplace(t.step, progress_.steps.size());
    if (added) progress_.steps.push_back(StepProgress{t.step, 0, 0});
    progress_.steps[it->second].total++;
    progress_.tasks_total++;
  }
  progress_.running = true;
  start_ = monotonic_seconds();
}

void ProgressSnapshot::task_finished(const Task& task) {
  if (!task.on_executor()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = step_index_.find(task.step);
  if (it == step_index_.end()) return;
  progress_.steps[it->second].done++;
  progress_.tasks_done++;
}

void ProgressSnapshot::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  progress_.seconds = monotonic_seconds() - start_;
  progress_.running = false;
}

JobProgress ProgressSnapshot::get() const {
  std::lock_guard<std::mutex> lock(mutex_);
  JobProgress p = progress_;
  if (p.running) p.seconds = monotonic_seconds() - start_;
  return p;
}

}  // namespace smallpond
