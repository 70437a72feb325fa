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
  running_on_.assign(pool_.size(), Running{});
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
      if (options_.speculation) speculate();
      bool running = std::any_of(running_on_.begin(), running_on_.end(), [](const Running& r) { return r.task >= 0; });
      if (!running) {
        bool any_alive = false;
        for (int e = 0; e < pool_.size(); e++) any_alive = any_alive || pool_.alive(e);
        if (!any_alive) throw ExecutionError("all executors are lost; the job cannot go on (rerun to resume)");
        throw InternalError("scheduler stalled: no task can run");
      }
      if (auto event = pool_.wait(0.2)) handle(*event);
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

void Scheduler::handle(ExecutorEvent& event) {
  const int e = event.executor;
  Running r = running_on_.at(e);
  if (event.type == ExecutorEvent::Type::Lost) {
    running_on_[e] = Running{};
    if (r.task >= 0) states_[r.task].running--;
    pool_.replace(e);
    if (r.task >= 0) fail_attempt(r.task, e, graph_.tasks[r.task].label() + ": " + event.reason, true);
    return;
  }
  const TaskOutcome& o = event.outcome;
  if (r.task < 0 || o.job != options_.job || o.task_id != r.task || o.attempt != r.attempt) return;  // stale
  running_on_[e] = Running{};
  TaskState& s = states_[r.task];
  s.running--;
  if (s.state == State::Done) return;  // a speculative twin finished first
  if (!o.ok) {
    fail_attempt(r.task, e, o.error, o.retryable, o.out_of_memory);
    return;
  }
  durations_[graph_.tasks[r.task].step].push_back(o.seconds);
  // The first attempt to finish wins; a twin still running is cancelled.
  for (int other = 0; other < static_cast<int>(running_on_.size()); other++) {
    if (running_on_[other].task != r.task) continue;
    running_on_[other] = Running{};
    s.running--;
    pool_.cancel(other);
  }
  complete(r.task, std::move(event.outcome.outputs), o.rows, false);
}

void Scheduler::speculate() {
  double now = monotonic_seconds();
  for (int e = 0; e < static_cast<int>(running_on_.size()); e++) {
    int id = running_on_[e].task;
    if (id < 0 || states_[id].speculated) continue;
    const Task& task = graph_.tasks[id];
    auto it = durations_.find(task.step);
    if (it == durations_.end() || it->second.size() < 3) continue;
    std::vector<double> d = it->second;
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    double median = d[d.size() / 2];
    double threshold = std::max(options_.speculation_ratio * median, median + options_.speculation_min_seconds);
    TaskState& s = states_[id];
    if (now - s.last_start <= threshold) continue;
    int other = pick_executor(s, e);
    if (other < 0 || other == e) return;  // no idle executor: nothing to do now
    s.speculated = true;
    step_report(task.step).speculative++;
    if (options_.progress)
      std::fprintf(stderr, "[smallpond] %s runs %.1fs (step median %.1fs): starting a second attempt\n",
                   task.label().c_str(), now - s.last_start, median);
    start_attempt(id, other);
  }
}

void Scheduler::make_ready(int id) {  const Task& task = graph_.tasks[id];
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

void Scheduler::fail_attempt(int id, int executor, const std::string& error, bool retryable, bool out_of_memory) {
  const Task& task = graph_.tasks[id];
  TaskState& s = states_[id];
  if (executor >= 0) s.failed_on.push_back(executor);
  failures_++;
  if (s.running > 0 && retryable) return;  // a speculative twin is still running: let it finish
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

int Scheduler::pick_executor(const TaskState& s, int avoid) const {
  int fallback = -1;
  for (int e = 0; e < static_cast<int>(running_on_.size()); e++) {
    if (running_on_[e].task >= 0 || !pool_.alive(e) || e == avoid) continue;
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
  int e = pick_executor(states_[id]);
  if (e < 0) return false;
  ready_.erase(ready_.begin());
  start_attempt(id, e);
  return true;
}

void Scheduler::start_attempt(int id, int e) {
  TaskState& s = states_[id];
  s.attempts++;
  s.running++;
  s.state = State::Running;
  s.last_start = monotonic_seconds();
  if (s.started == 0) s.started = s.last_start;
  running_on_[e] = Running{id, s.attempts};
  pool_.assign(e, assignment(graph_.tasks[id], s.attempts));
}

}  // namespace smallpond
