#include "exec/scheduler.h"

#include <algorithm>
#include <cstdio>

#include "common/system.h"
#include "exec/progress.h"
#include "exec/task_manifest.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {
std::string task_name(const Task& t) { return std::string(task_kind_name(t.kind)) + "-" + std::to_string(t.partition); }
}  // namespace

Scheduler::Scheduler(const TaskGraph& graph, ExecutorPool& pool, const JobDir& job_dir,
                     RowCounter count_rows, SchedulerOptions options)
    : graph_(graph), pool_(pool), job_dir_(job_dir), count_rows_(std::move(count_rows)), options_(options) {}

StepReport& Scheduler::step_report(const std::string& step) {
  for (auto& s : report_->steps)
    if (s.step == step) return s;
  throw InternalError("no report for step " + step);
}

std::vector<std::vector<DataSet>> Scheduler::run(JobReport& report) {
  double start = monotonic_seconds();
  report_ = &report;
  report.steps.clear();
  for (auto& s : graph_.steps) report.steps.push_back(StepReport{s});
  step_times_.assign(report.steps.size(), {0, 0});
  size_t n = graph_.tasks.size();
  states_.assign(n, {});
  outputs_.assign(n, {});
  users_.assign(n, {});
  running_on_.assign(pool_.size(), -1);
  for (auto& t : graph_.tasks) {
    states_[t.id].missing_deps = static_cast<int>(t.deps.size());
    for (int d : t.deps) users_[d].push_back(t.id);
    if (t.on_executor()) step_report(t.step).tasks++;
  }
  progress_ = std::make_unique<ProgressReporter>(graph_, options_.progress);
  ProgressReporter& progress = *progress_;
  try {
    for (auto& t : graph_.tasks)
      if (t.deps.empty()) make_ready(t.id);
    while (done_ < static_cast<int>(n)) {
      while (dispatch_one()) {
      }
      bool running = std::any_of(running_on_.begin(), running_on_.end(), [](int t) { return t >= 0; });
      if (!running) {
        bool any_alive = false;
        for (int e = 0; e < pool_.size(); e++) any_alive = any_alive || pool_.alive(e);
        if (!any_alive) throw ExecutionError("all executors are lost; the job cannot go on (rerun to resume)");
        throw InternalError("scheduler stalled: no task can run");
      }
      auto event = pool_.wait(0.2);
      if (event) {
        int task = running_on_.at(event->executor);
        if (event->type == ExecutorEvent::Type::Lost) {
          running_on_[event->executor] = -1;
          pool_.replace(event->executor);
          if (task >= 0) fail_attempt(task, graph_.tasks[task].label() + ": " + event->reason, true);
        } else if (task >= 0 && event->outcome.job == options_.job && event->outcome.task_id == task &&
                   event->outcome.attempt == states_[task].attempts) {
          running_on_[event->executor] = -1;
          if (event->outcome.ok) {
            complete(task, std::move(event->outcome.outputs), event->outcome.rows, false);
          } else {
            fail_attempt(task, event->outcome.error, event->outcome.retryable, event->outcome.out_of_memory);
          }
        }
      }
      progress.tick();
    }
  } catch (...) {
    progress.finish();
    throw;
  }
  progress.finish();
  for (size_t i = 0; i < report.steps.size(); i++)
    report.steps[i].seconds = step_times_[i].second - step_times_[i].first;
  report.seconds = monotonic_seconds() - start;
  return std::move(outputs_);
}

void Scheduler::make_ready(int id) {
  const Task& task = graph_.tasks[id];
  TaskState& s = states_[id];
  s.state = State::Ready;
  if (!task.on_executor()) {
    std::vector<const std::vector<DataSet>*> deps;
    for (int d : task.deps) deps.push_back(&outputs_[d]);
    std::vector<DataSet> outputs;
    try {
      outputs = run_metadata_task(task, deps, count_rows_);
    } catch (const InvalidInputError&) {
      throw;
    } catch (const std::exception& e) {
      throw ExecutionError("step '" + task.step + "' failed: " + task.label() + ": " + e.what());
    }
    complete(id, std::move(outputs), -1, false);
    return;
  }
  auto manifest = read_task_manifest(job_dir_.task_dir(task_name(task), task.key), task.key);
  if (manifest) {
    complete(id, std::move(manifest->outputs), manifest->rows, true);
    return;
  }
  ready_.push_back(id);
}

void Scheduler::complete(int id, std::vector<DataSet> outputs, int64_t rows, bool reused) {
  const Task& task = graph_.tasks[id];
  TaskState& s = states_[id];
  s.state = State::Done;
  outputs_[id] = std::move(outputs);
  done_++;
  if (task.on_executor()) {
    StepReport& r = step_report(task.step);
    (reused ? r.reused : r.executed)++;
    progress_->task_finished(task);
    if (rows >= 0) r.rows = (r.rows < 0 ? 0 : r.rows) + rows;
    if (!reused) {
      size_t idx = &r - &report_->steps[0];
      double now = monotonic_seconds();
      auto& times = step_times_[idx];
      if (times.first == 0 || s.started < times.first) times.first = s.started;
      times.second = std::max(times.second, now);
    }
  }
  for (int u : users_[id]) {
    if (--states_[u].missing_deps == 0) make_ready(u);
  }
}

void Scheduler::fail_attempt(int id, const std::string& error, bool retryable, bool out_of_memory) {
  const Task& task = graph_.tasks[id];
  TaskState& s = states_[id];
  if (s.executor >= 0) s.failed_on.push_back(s.executor);
  s.executor = -1;
  failures_++;
  if (!retryable || s.attempts > options_.max_retry) {
    std::string why = retryable ? "after " + std::to_string(s.attempts) + (s.attempts == 1 ? " attempt" : " attempts")
                                : "(not retried: this error does not go away on retry)";
    throw ExecutionError("step '" + task.step + "' failed " + why + ": " + error);
  }
  if (options_.max_fail >= 0 && failures_ > options_.max_fail)
    throw ExecutionError("step '" + task.step + "' failed and the job reached its limit of " +
                         std::to_string(options_.max_fail) + " failed attempts: " + error);
  // Out of memory: the next attempt gets twice the memory (DuckDB spills what does not fit).
  if (out_of_memory) s.memory_factor *= 2;
  step_report(task.step).retries++;
  if (options_.progress)
    std::fprintf(stderr, "[smallpond] retrying %s (attempt %d failed): %s\n", task.label().c_str(), s.attempts,
                 error.c_str());
  s.state = State::Ready;
  ready_.insert(ready_.begin(), id);  // retries go first
}

int Scheduler::pick_executor(const TaskState& s) const {
  int fallback = -1;
  for (int e = 0; e < static_cast<int>(running_on_.size()); e++) {
    if (running_on_[e] >= 0 || !pool_.alive(e)) continue;
    if (std::find(s.failed_on.begin(), s.failed_on.end(), e) == s.failed_on.end()) return e;
    if (fallback < 0) fallback = e;
  }
  return fallback;
}

TaskAssignment Scheduler::assignment(const Task& task, int attempt) const {
  TaskAssignment a;
  a.job = options_.job;
  a.task_id = task.id;
  a.attempt = attempt;
  a.kind = task.kind;
  a.label = task.label();
  a.key = task.key;
  a.params = task.params;
  if (task.kind == TaskKind::Sql && !task.params.value("concat", false)) {
    for (int d : task.deps) a.inputs.push_back(outputs_[d].at(0));
  } else {
    std::vector<DataSet> parts;
    for (int d : task.deps) parts.push_back(outputs_[d].at(0));
    a.inputs.push_back(DataSet::concat(parts));
  }
  a.final_dir = job_dir_.task_dir(task_name(task), task.key);
  a.staging_dir = job_dir_.staging_dir(task_name(task), task.key, attempt);
  a.limits = options_.limits;
  a.limits.memory_limit *= states_[task.id].memory_factor;
  a.fault_probability = options_.fault_probability;
  a.limits.temp_directory = job_dir_.tmp_dir() + "/" + task.step + "-" + task_name(task);
  return a;
}

bool Scheduler::dispatch_one() {
  if (ready_.empty()) return false;
  int id = ready_.front();
  TaskState& s = states_[id];
  int e = pick_executor(s);
  if (e < 0) return false;
  ready_.erase(ready_.begin());
  s.attempts++;
  s.executor = e;
  s.state = State::Running;
  if (s.started == 0) s.started = monotonic_seconds();
  running_on_[e] = id;
  pool_.assign(e, assignment(graph_.tasks[id], s.attempts));
  return true;
}

}  // namespace smallpond
