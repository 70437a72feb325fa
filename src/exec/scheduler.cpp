#include "exec/scheduler.h"

#include <algorithm>
#include <cstdio>

#include "common/system.h"
#include "exec/messages.h"
#include "exec/progress.h"
#include "exec/task_manifest.h"
#include "exec/task_trace.h"
#include "io/filesystem.h"
#include "plan/task_params.h"
#include "smallpond/error.h"

namespace smallpond {

Scheduler::Scheduler(const TaskGraph& graph, ExecutorPool& pool, const JobDir& job_dir,
                     RowCounter count_rows, SchedulerOptions options, JobObserver* observer)
    : graph_(graph),
      pool_(pool),
      job_dir_(job_dir),
      count_rows_(std::move(count_rows)),
      options_(options),
      observer_(observer),
      assignments_(job_dir_, options_),
      speculation_(options.speculation_ratio, options.speculation_min_seconds),
      retry_policy_(options.max_retry, options.max_fail) {}

void Scheduler::trace(const Running& r, int executor, const char* status, const char* output,
                      int64_t rows, int64_t bytes, double seconds, const std::string& error) {
  const Task& t = graph_.tasks[r.task];
  bool ran = r.sent > 0;
  observer_->attempt_ended({t.step, t.label(), task_kind_name(t.kind), r.attempt, executor, status,
                            output, rows, bytes, seconds, ran ? r.sent - run_start_ : -1,
                            ran ? monotonic_seconds() - run_start_ : -1, error});
}

StepReport& Scheduler::step_report(const std::string& step) {
  for (auto& s : report_->steps)
    if (s.step == step) return s;
  throw InternalError("no report for step " + step);
}

std::vector<TaskOutputs> Scheduler::run(JobReport& report) {
  double start = monotonic_seconds();
  run_start_ = start;
  report_ = &report;
  report.steps.clear();
  for (auto& s : graph_.steps) report.steps.push_back(StepReport{s});
  step_times_.assign(report.steps.size(), {0, 0});
  size_t n = graph_.tasks.size();
  states_.assign(n, {});
  outputs_.assign(n, {});
  users_.assign(n, {});
  running_on_.assign(pool_.size(), Running{});
  unfinished_in_step_.clear();
  schema_donor_.clear();
  is_partition_.assign(n, false);
  for (auto& [step, partitions] : graph_.step_outputs)
    for (int t : partitions) is_partition_[t] = true;
  for (auto& t : graph_.tasks) {
    unfinished_in_step_[t.step]++;
    states_[t.id].missing_deps = static_cast<int>(t.deps.size());
    for (int d : t.deps) users_[d].push_back(t.id);
    if (t.on_executor()) step_report(t.step).tasks++;
  }
  ledger_.plan(graph_, users_);
  fetching_.clear();
  plan_needed();
  if (!observer_) {
    own_observer_ = standard_observer(graph_, options_.progress, job_dir_.root() + "/log");
    observer_ = own_observer_.get();
  }
  try {
    for (auto& t : graph_.tasks)
      if (t.deps.empty()) make_ready(t.id);
    while (done_ < static_cast<int>(n)) {
      if (options_.interrupted && options_.interrupted->load())
        throw ExecutionError(
            "interrupted: the job stopped where it was; what finished is kept (run it again to "
            "resume)",
            ErrorCode::Interrupted);
      while (dispatch_one()) {
      }
      // Stragglers are measured in seconds: looking ten times a second is enough, and looking
      // on every event would cost O(executors) per task.
      if (options_.speculation && monotonic_seconds() - last_speculation_ >= 0.1) {
        speculate();
        last_speculation_ = monotonic_seconds();
      }
      bool running = std::any_of(running_on_.begin(), running_on_.end(),
                                 [](const Running& r) { return r.task >= 0; });
      if (!running && !ledger_.any_requested()) {
        bool any_alive = false;
        for (int e = 0; e < pool_.size(); e++) any_alive = any_alive || pool_.alive(e);
        if (!any_alive) {
          // Executors that may still come back (restarted by their cluster manager) are
          // waited for.
          if (!pool_.awaiting_executors())
            throw ExecutionError("all executors are lost; the job cannot go on (rerun to resume)");
        } else {
          std::string detail;
          for (size_t i = 0; i < states_.size(); i++)
            if (states_[i].state != State::Done)
              detail += " " + graph_.tasks[i].label() + ":" + task_kind_name(graph_.tasks[i].kind) +
                        "/state" + std::to_string(int(states_[i].state)) + "/missing" +
                        std::to_string(states_[i].missing_deps);
          throw InternalError("scheduler stalled: no task can run (ready " +
                              std::to_string(ready_.size()) + ", fetching " +
                              std::to_string(fetching_.size()) + "):" + detail);
        }
      }
      if (auto event = pool_.wait(0.2)) handle(*event);
      observer_->tick();
    }
  } catch (...) {
    observer_->finish();
    throw;
  }
  observer_->finish();
  for (size_t p = 0; p < n; p++) send_drop(ledger_.drop(static_cast<int>(p)));  // still held
  for (size_t i = 0; i < report.steps.size(); i++)
    report.steps[i].seconds = step_times_[i].second - step_times_[i].first;
  report.seconds = monotonic_seconds() - start;
  return std::move(outputs_);
}

void Scheduler::handle(ExecutorEvent& event) {
  const int e = event.executor;
  if (event.type == ExecutorEvent::Type::Reply) {
    handle_reply(e, event.exported);
    return;
  }
  Running r = running_on_.at(e);
  if (event.type == ExecutorEvent::Type::Lost) {
    running_on_[e] = Running{};
    if (r.task >= 0) states_[r.task].running--;
    pool_.replace(e);
    if (r.task >= 0) {
      trace(r, e, "lost", "", -1, 0, monotonic_seconds() - r.sent, event.reason);
      fail_attempt(r.task, e, graph_.tasks[r.task].label() + ": " + event.reason, true,
                   event.out_of_memory, event.out_of_memory, pool_.losses_are_nodes());
    }
    lose_memory(e);
    return;
  }
  const TaskOutcome& o = event.outcome;
  if (r.task < 0 || o.job != options_.job || o.task_id != r.task || o.attempt != r.attempt)
    return;  // stale
  running_on_[e] = Running{};
  TaskState& s = states_[r.task];
  s.running--;
  if (s.state == State::Done) return;  // a speculative twin finished first
  if (!o.ok) {
    trace(r, e, "failed", "", -1, 0, o.seconds, o.error);
    fail_attempt(r.task, e, o.error, is_retryable(o.code), o.code == ErrorCode::OutOfMemory);
    return;
  }
  speculation_.finished(graph_.tasks[r.task].step, o.seconds);
  // The first attempt to finish wins; a twin still running is cancelled.
  for (int other = 0; s.running > 0 && other < static_cast<int>(running_on_.size()); other++) {
    if (running_on_[other].task != r.task) continue;
    running_on_[other] = Running{};
    s.running--;
    pool_.cancel(other);
    lose_memory(other);  // a cancelled executor may have been replaced, tables and all
  }
  TaskOutputs outputs(std::move(event.outcome.outputs));
  std::vector<std::string> tables;  // kept in the executor's memory
  for (auto& ds : outputs)
    for (auto& t : ds.memory_tables()) tables.push_back(t);
  bool in_memory = !tables.empty();
  trace(r, e, "executed", in_memory ? "memory" : "file", o.rows, o.memory_bytes, o.seconds);
  if (in_memory) {
    ledger_.kept(r.task, e, std::move(tables));
    step_report(graph_.tasks[r.task].step).in_memory++;
  }
  complete(r.task, std::move(outputs), o.rows, false);
}

std::vector<std::string> Scheduler::memory_inputs(int id) const {
  std::vector<std::string> out;
  for (int d : graph_.tasks[id].deps)
    for (auto& ds : output(d))
      for (auto& t : ds.memory_tables())
        if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  return out;
}

void Scheduler::handle_reply(int e, ExportedMessage& message) {
  for (auto& [table, data] : message.tables) {
    if (message.by_reference)
      report_->memory_tables_by_reference++;
    else
      report_->memory_bytes_through_driver += static_cast<int64_t>(data.get_binary().size());
  }
  MemoryLedger::Exported got = ledger_.on_exported(e, message);
  if (got.missing) {
    lose_memory(e);  // the owner no longer has them: recompute
    return;
  }
  if (!got.arrived) return;
  // Waiting tasks try again: dispatch_one() picks their executor anew and fetches what that one
  // still lacks.
  for (int id : fetching_) {
    states_[id].state = State::Ready;
    ready_.push_front(id);
  }
  fetching_.clear();
}

void Scheduler::release_consumer(int id) {
  for (auto& drop : ledger_.consumer_done(id)) send_drop(drop);
}

// The owner and every executor sent a copy that it has not used (yet) let go of the tables.
void Scheduler::send_drop(const MemoryLedger::Drop& drop) {
  if (drop.tables.empty()) return;
  for (int x : drop.holders)
    if (pool_.alive(x)) pool_.send_control(x, DropMessage{drop.tables});
}

void Scheduler::lose_memory(int e) {
  for (int p : ledger_.lose_executor(e)) invalidate(p);
}

void Scheduler::invalidate(int p) {
  TaskState& s = states_[p];
  if (s.state != State::Done) return;
  if (graph_.tasks[p].on_executor())
    observer_->notice("recomputing " + graph_.tasks[p].label() + ": its in-memory output was lost");
  s.state = State::Waiting;
  done_--;
  unfinished_in_step_[graph_.tasks[p].step]++;
  auto donor = schema_donor_.find(graph_.tasks[p].step);
  if (donor != schema_donor_.end() && donor->second == p) schema_donor_.erase(donor);
  std::vector<std::string> tables;
  for (auto& ds : output(p))
    for (auto& t : ds.memory_tables()) tables.push_back(t);
  outputs_[p] = {};
  // An executor task reads its producers again: those whose in-memory outputs were dropped
  // are computed again first.
  for (int q : ledger_.rerun(p, graph_.tasks[p].on_executor(), tables)) invalidate(q);
  s.missing_deps = 0;
  for (int d : graph_.tasks[p].deps) s.missing_deps += states_[d].state != State::Done;
  for (int u : users_[p]) {
    TaskState& us = states_[u];
    if (us.state == State::Done) {
      if (!graph_.tasks[u].on_executor()) invalidate(u);  // a file list that named the lost table
    } else if (us.state != State::Running) {
      us.missing_deps++;
      us.state = State::Waiting;
      ready_.erase(std::remove(ready_.begin(), ready_.end(), u), ready_.end());
      fetching_.erase(std::remove(fetching_.begin(), fetching_.end(), u), fetching_.end());
    }
  }
  if (s.missing_deps == 0) make_ready(p);
}

void Scheduler::speculate() {
  double now = monotonic_seconds();
  for (int e = 0; e < static_cast<int>(running_on_.size()); e++) {
    int id = running_on_[e].task;
    if (id < 0 || states_[id].speculated || states_[id].exclusive) continue;
    const Task& task = graph_.tasks[id];
    TaskState& s = states_[id];
    std::optional<double> median = speculation_.straggler(task.step, now - s.last_start);
    if (!median) continue;
    int other = pick_executor(s, e);
    if (other < 0 || other == e) return;  // no idle executor: nothing to do now
    bool inputs_at_hand = true;
    for (auto& t : memory_inputs(id))
      inputs_at_hand = inputs_at_hand && (ledger_.holder(t) == other || ledger_.fetched(t));
    if (!inputs_at_hand) continue;
    s.speculated = true;
    step_report(task.step).speculative++;
    char line[160];
    std::snprintf(line, sizeof line, " runs %.1fs (step median %.1fs): starting a second attempt",
                  now - s.last_start, *median);
    observer_->notice(task.label() + line);
    start_attempt(id, other);
  }
}

void Scheduler::plan_needed() {
  size_t n = graph_.tasks.size();
  manifests_.assign(n, std::nullopt);
  for (auto& t : graph_.tasks) {
    if (!t.on_executor()) continue;
    try {
      manifests_[t.id] = read_task_manifest(job_dir_.task_dir(t.step, t.name(), t.key), t.key);
    } catch (const Error&) {
      manifests_[t.id] = std::nullopt;  // unreadable now: computed again (its publish checks)
    }
  }
  // One version of every input: a task is reused only when nothing it reads (directly, or
  // through the file lists of splits and picks) is made anew in this run. A recomputed output
  // may hold other rows (random(), now()) or the same rows in another order, which a split by
  // rows cuts elsewhere: a reused consumer of the old version beside a new consumer of the new
  // one would lose or repeat rows. So whatever reads an output that is made again is made again
  // too (when needed), and so on downstream, until nothing changes.
  std::vector<char> affected(n, false);  // reads (transitively) an output made in this run
  std::vector<char> dropped(n, false);   // had a manifest, no longer reused
  for (bool changed = true; changed;) {
    changed = false;
    mark_needed();
    for (size_t i = 0; i < n; i++) {  // deps come before their users
      const Task& t = graph_.tasks[i];
      for (int d : t.deps) {
        bool made_anew = graph_.tasks[d].on_executor() && needed_[d] && !manifests_[d];
        if (!affected[i] && (made_anew || affected[d])) affected[i] = true;
      }
      if (affected[i] && t.on_executor() && manifests_[i]) {
        manifests_[i] = std::nullopt;
        dropped[i] = true;
        changed = true;
      }
    }
  }
  // An output of the old version loses its manifest: one that runs again publishes its new
  // output (a publish keeps a valid output already there, as a speculative twin's), and one
  // not needed now is not reused by a later run either.
  for (size_t i = 0; i < n; i++) {
    const Task& t = graph_.tasks[i];
    if (dropped[i]) forget_task_manifest(job_dir_.task_dir(t.step, t.name(), t.key));
  }
}

void Scheduler::mark_needed() {
  size_t n = graph_.tasks.size();
  needed_.assign(n, false);
  for (auto& sink : graph_.sinks)
    for (int t : sink.tasks) needed_[t] = true;
  for (int t : graph_.outputs) needed_[t] = true;
  // A task is needed by a needed user that will run (a reused one reads nothing).
  for (size_t i = n; i-- > 0;) {
    for (int u : users_[i])
      if (needed_[u] && !manifests_[u]) needed_[i] = true;
  }
}

void Scheduler::make_ready(int id) {
  const Task& task = graph_.tasks[id];
  TaskState& s = states_[id];
  if (!needed_[id]) {  // e.g. an in-memory intermediate whose readers are all reused
    s.state = State::Done;
    done_++;
    unfinished_in_step_[task.step]--;
    // Not run, but where it is stays known (the step index names it): a published output, or
    // a file list over such outputs.
    if (task.on_executor() && manifests_[id]) {
      outputs_[id] = TaskOutputs(manifests_[id]->outputs);
    } else if (!task.on_executor()) {
      bool inputs_known = true;
      std::vector<const TaskOutputs*> deps;
      for (int d : task.deps) {
        inputs_known = inputs_known && !output(d).empty();
        deps.push_back(&output(d));
      }
      if (inputs_known) {
        try {
          outputs_[id] = run_metadata_task(task, deps, count_rows_);
        } catch (const std::exception&) {
          outputs_[id] = {};  // only the index misses it
        }
      }
    }
    if (task.on_executor()) release_consumer(id);
    for (int u : users_[id])
      if (--states_[u].missing_deps == 0) make_ready(u);
    return;
  }
  s.state = State::Ready;
  if (!task.on_executor()) {
    std::vector<const TaskOutputs*> deps;
    for (int d : task.deps) deps.push_back(&output(d));
    TaskOutputs outputs;
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
  if (manifests_[id]) {
    TaskManifest m = *manifests_[id];
    trace(Running{id, 0, 0}, -1, "reused", "file", m.rows, 0, 0);
    complete(id, TaskOutputs(std::move(m.outputs)), m.rows, true);
    return;
  }
  ready_.push_back(id);
}

void Scheduler::complete(int id, TaskOutputs outputs, int64_t rows, bool reused) {
  const Task& task = graph_.tasks[id];
  TaskState& s = states_[id];
  s.state = State::Done;
  unfinished_in_step_[task.step]--;
  if (!outputs.empty() && outputs[0].schema_known() && outputs[0].memory_tables().empty() &&
      !schema_donor_.count(task.step))
    schema_donor_[task.step] = id;
  if (s.exclusive) {  // done: the others may run again
    s.exclusive = false;
    exclusive_tasks_--;
  }
  outputs_[id] = std::move(outputs);
  done_++;
  if (task.on_executor()) {
    release_consumer(id);
    // A stream's checkpoints are removed by the attempt that publishes; one that lost to a
    // speculative twin (or crashed after publishing) may have left them.
    if (is_stream(task)) remove_all(job_dir_.checkpoint_dir(task.name(), task.key));
    StepReport& r = step_report(task.step);
    (reused ? r.reused : r.executed)++;
    observer_->task_finished(task);
    if (rows >= 0) r.rows = (r.rows < 0 ? 0 : r.rows) + rows;
    if (rows >= 0 && is_partition_[id]) {
      r.largest_task_rows = std::max(r.largest_task_rows, rows);
      r.smallest_task_rows = r.smallest_task_rows < 0 ? rows : std::min(r.smallest_task_rows, rows);
    }
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

void Scheduler::fail_attempt(int id, int executor, const std::string& error, bool retryable,
                             bool out_of_memory, bool oom_killed, bool node_lost) {
  const Task& task = graph_.tasks[id];
  TaskState& s = states_[id];
  if (executor >= 0) s.failed_on.push_back(executor);
  if (node_lost) s.node_losses++;
  FailedAttempt failure;
  failure.task_label = task.label();
  failure.step = task.step;
  failure.error = error;
  failure.retryable = retryable;
  failure.out_of_memory = out_of_memory;
  failure.oom_killed = oom_killed;
  failure.attempts = s.attempts;
  failure.node_losses = s.node_losses;
  failure.twin_running = s.running > 0;
  RetryDecision decision = retry_policy_.decide(failure);
  if (decision.action == RetryDecision::Action::WaitForTwin) return;
  if (decision.action == RetryDecision::Action::Fail) throw ExecutionError(decision.error);
  if (decision.double_memory) s.memory_factor *= 2;
  if (decision.run_alone && !s.exclusive) {
    s.exclusive = true;
    exclusive_tasks_++;
  }
  step_report(task.step).retries++;
  observer_->notice("retrying " + task.label() + " (attempt " + std::to_string(s.attempts) +
                    " failed): " + error);
  s.state = State::Ready;
  ready_.push_front(id);  // retries go first
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

const TaskOutputs& Scheduler::output(int task) const { return outputs_[task]; }

DataSet Scheduler::input_of(int dep) const {
  const DataSet& ds = output(dep).at(0);
  if (ds.schema_known()) return ds;
  // A C++ function that produced no rows could not tell its columns: a finished partition of
  // the same step that has rows (in a file) lends them, so the empty one reads as no rows.
  auto it = schema_donor_.find(graph_.tasks[dep].step);
  if (it != schema_donor_.end() && !output(it->second).empty())
    return ds.empty_with_schema_of(output(it->second)[0]);
  return ds;
}

bool Scheduler::awaits_schema(int id) const {
  for (int d : graph_.tasks[id].deps) {
    if (output(d).empty() || input_of(d).schema_known()) continue;
    auto it = unfinished_in_step_.find(graph_.tasks[d].step);
    if (it != unfinished_in_step_.end() && it->second > 0) return true;  // a donor may come
  }
  return false;
}

TaskAssignment Scheduler::assignment(const Task& task, int attempt, int executor) const {
  std::vector<DataSet> inputs;
  for (int d : task.deps) inputs.push_back(input_of(d));
  TaskAssignment a = assignments_.build(task, attempt, inputs, states_[task.id].memory_factor,
                                        !ledger_.must_persist(task.id));
  for (auto& table : memory_inputs(task.id)) {
    if (ledger_.holder(table) == executor) continue;
    if (ledger_.delivered_at(table, executor))
      a.delivered.push_back(table);  // the executor's side attaches its copy
    else
      a.attachments[table] = ledger_.fetched_bytes(table);
  }
  return a;
}

bool Scheduler::running_exclusive() const {
  if (exclusive_tasks_ == 0) return false;
  for (auto& r : running_on_)
    if (r.task >= 0 && states_[r.task].exclusive) return true;
  return false;
}

bool Scheduler::dispatch_one() {
  if (running_exclusive()) return false;  // it has the machine to itself
  for (size_t i = 0; i < ready_.size(); i++) {
    int id = ready_[i];
    if (awaits_schema(id)) continue;  // an input without columns waits for a sibling's
    if (exclusive_tasks_ > 0 && states_[id].exclusive) {
      // Wait for the running tasks to end rather than start others beside it.
      bool busy = std::any_of(running_on_.begin(), running_on_.end(),
                              [](const Running& r) { return r.task >= 0; });
      if (busy) return false;
    }
    auto tables = memory_inputs(id);
    int e = -1;
    if (!tables.empty()) {
      // Prefer an idle executor that holds the most of the task's in-memory inputs.
      int best = -1;
      for (int x = 0; x < pool_.size(); x++) {
        if (running_on_[x].task >= 0 || !pool_.alive(x)) continue;
        int held = 0;
        for (auto& t : tables) held += ledger_.holder(t) == x;
        if (held > best) best = held, e = x;
      }
      // Every holder is busy: wait for one (it is running a task that will end) rather than
      // move the tables; meanwhile other ready tasks may take the idle executors.
      if (best == 0) continue;
    } else {
      e = pick_executor(states_[id]);
    }
    if (e < 0) return false;  // no idle executor
    std::vector<std::string> missing;
    for (auto& t : tables)
      if (ledger_.holder(t) != e && !ledger_.fetched(t) && !ledger_.delivered_at(t, e))
        missing.push_back(t);
    ready_.erase(ready_.begin() + i);
    if (missing.empty()) {
      start_attempt(id, e);
      return true;
    }
    // Fetch from the owners, one request per owner for all its tables; the task waits.
    std::map<int, std::vector<std::string>> by_owner;
    for (auto& table : missing) {
      int owner = ledger_.holder(table);
      // A ready task's in-memory inputs are held: losing a holder makes their readers wait.
      if (owner < 0) throw InternalError("in-memory table " + table + " has no holder");
      if (!ledger_.request(table, owner)) continue;  // asked for already
      by_owner[owner].push_back(table);
    }
    for (auto& [owner, list] : by_owner) {
      ExportMessage request{list};
      if (pool_.direct_transfer()) request.to = e;  // straight to the executor that runs it
      pool_.send_control(owner, request);
    }
    fetching_.push_back(id);
    return true;
  }
  return false;
}

void Scheduler::start_attempt(int id, int e) {
  TaskState& s = states_[id];
  s.attempts++;
  s.running++;
  s.state = State::Running;
  s.last_start = monotonic_seconds();
  if (s.started == 0) s.started = s.last_start;
  running_on_[e] = Running{id, s.attempts, s.last_start};
  TaskAssignment a = assignment(graph_.tasks[id], s.attempts, e);
  // A delivered copy is handed to this attempt (and used up): another needs a new one.
  for (auto& t : a.delivered) ledger_.used_delivery(t, e);
  pool_.assign(e, a);
}

}  // namespace smallpond
