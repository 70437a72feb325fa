#include "driver/job_runner.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "common/strings.h"
#include "common/system.h"
#include "driver/output_guard.h"
#include "driver/sink_publisher.h"
#include "driver/step_index.h"
#include "engine/sql_template.h"
#include "exec/local_process_pool.h"
#include "exec/mpi/mpi_runtime.h"
#include "exec/scheduler.h"
#include "exec/tcp_pool.h"
#include "io/filesystem.h"
#include "io/job_dir.h"
#include "logical/optimizer.h"
#include "plan/task_params.h"
#include "planner/planner.h"
#include "smallpond/error.h"

namespace smallpond {

Options resolve_options(Options o) {
  // Every setting is checked before anything starts: a bad value is a clear error here, not a
  // job that misbehaves (a heartbeat timeout of 0 would declare every executor lost).
  auto require = [](bool ok, const std::string& what) {
    if (!ok) throw InvalidInputError(what);
  };
  require(o.executors >= 0, "executors must be >= 0 (0: one per core)");
  require(o.ray_address.empty() || o.listen_address.empty(),
          "ray_address and listen_address exclude each other (on Ray, the driver listens where "
          "the actors can reach it)");
  require(o.listen_address.empty() || o.executors > 0,
          "listen_address needs executors: how many executor nodes to wait for");
  require(o.executor_connect_timeout > 0, "executor_connect_timeout must be positive");
  require(o.threads_per_task >= 0, "threads_per_task must be >= 0 (0: cores / executors)");
  require(o.memory_per_task >= 0, "memory_per_task must be >= 0 (0: a share of the memory)");
  require(o.max_retry >= 0, "max_retry must be >= 0");
  require(o.max_fail >= -1, "max_fail must be >= 0, or -1 for no limit");
  require(o.fault_probability >= 0 && o.fault_probability <= 1,
          "fault_probability must be between 0 and 1");
  require(o.memory_passing_bytes >= 0, "memory_passing_bytes must be >= 0 (0: off)");
  require(std::isfinite(o.heartbeat_timeout) && o.heartbeat_timeout > 0,
          "heartbeat_timeout must be a positive number of seconds");
  require(std::isfinite(o.speculation_min_seconds) && o.speculation_min_seconds >= 0,
          "speculation_min_seconds must be >= 0");
  require(o.shuffle_producers >= 0, "shuffle_producers must be >= 0 (0: 2 x executors)");
  require(o.executor_command.empty() || o.executor_command[0].rfind('/', 0) == 0,
          "executor_command must start with an absolute program path");
  if (o.job_name.empty()) {
    auto args = own_command_line();
    std::string prog = args.empty() ? "smallpond" : args[0];
    o.job_name = prog.substr(prog.rfind('/') + 1);
  }
  if (o.job_dir.empty()) o.job_dir = ".smallpond/" + o.job_name;
  o.job_dir = absolute_path(o.job_dir);
  if (mpi_active()) o.executors = mpi_size() - 1;  // under mpirun the ranks are the executors
  if (!o.ray_address.empty()) {
    // Actors of one CPU each, on machines of their own; as many as the cluster has CPUs
    // unless executors says (known when they are started). A task's memory is left to DuckDB.
    if (o.threads_per_task == 0) o.threads_per_task = 1;
    if (o.shuffle_producers == 0) o.shuffle_producers = 2 * std::max(o.executors, cpu_count());
    return o;
  }
  if (o.executors == 0) o.executors = cpu_count();
  if (o.threads_per_task == 0) o.threads_per_task = std::max(1, cpu_count() / o.executors);
  if (o.memory_per_task == 0) o.memory_per_task = usable_memory_bytes() * 8 / 10 / o.executors;
  if (o.shuffle_producers == 0) o.shuffle_producers = 2 * o.executors;
  return o;
}

JobRunner::JobRunner(const Options& options) : options_(options) {}

JobRunner::~JobRunner() { shutdown(); }

void JobRunner::shutdown() {
  if (pool_) pool_->shutdown();
  pool_.reset();
  ray_.reset();  // the actors go with their launcher
}

Engine& JobRunner::local_engine() {
  std::call_once(engine_once_,
                 [&] { engine_ = std::make_unique<Engine>(/*preserve_order=*/true); });
  return *engine_;
}

std::vector<int64_t> JobRunner::count_rows(const DataSet& ds) {
  // Whole Parquet files: row counts from the footers, all files in one query.
  std::vector<std::string> paths;
  for (auto& f : ds.files) paths.push_back(f.path);
  std::map<std::string, int64_t> file_rows;
  if (!paths.empty()) {
    auto con = local_engine().connect();
    Table t = con->query("SELECT file_name, num_rows FROM parquet_file_metadata(" +
                         sql_string_list(paths) + ")");
    for (auto& row : t.rows) file_rows[row[0].as_string()] = row[1].is_null() ? 0 : row[1].as_int();
    local_engine().forget_old_footers(paths);  // the driver's cache stays bounded too
  }
  std::vector<int64_t> out;
  for (auto& f : ds.files) {
    int64_t total = file_rows.count(f.path) ? file_rows[f.path] : 0;
    int64_t end = f.end < 0 ? total : std::min(f.end, total);
    out.push_back(std::max<int64_t>(0, end - f.begin));
  }
  return out;
}

void JobRunner::check_queries(const TaskGraph& graph) {
  // Every step's SQL is parsed (DuckDB's parser) before anything runs: a syntax error in the
  // last step must not wait for the steps before it. Binding (names, types) needs the inputs and
  // is left to the tasks.
  std::set<std::string> seen;
  std::unique_ptr<EngineConnection> con;
  for (auto& t : graph.tasks) {
    if (t.kind != TaskKind::Sql) continue;
    SqlParams params = SqlParams::from_json(t.params);
    const std::string& sql = params.sql;
    if (!seen.insert(t.step + '\0' + sql).second) continue;
    size_t inputs = params.concat ? 1 : std::max<size_t>(1, t.deps.size());
    std::vector<std::string> views;
    for (size_t i = 0; i < inputs; i++) views.push_back("__input_" + std::to_string(i));
    std::map<std::string, std::string> names;
    for (auto& [name, value] : params.names.items()) names[name] = value.dump();
    if (!con) con = local_engine().connect();
    try {
      con->split_statements(expand_sql_template(sql, views, names));
    } catch (const std::exception& e) {
      throw InvalidInputError("step '" + t.step + "': " + e.what() + "\n  query: " + sql);
    }
  }
}

void JobRunner::start_executors() {
  if (pool_) return;
  if (mpi_active())
    pool_ = make_mpi_pool(options_.heartbeat_timeout);
  else if (!options_.ray_address.empty()) {
    ray_ =
        std::make_unique<RayLauncher>(options_.ray_address, options_.executors, options_.job_name);
    pool_ = make_tcp_pool(ray_->listen_address(), ray_->executors(), options_.heartbeat_timeout,
                          options_.executor_connect_timeout);
  } else if (!options_.listen_address.empty())
    pool_ = make_tcp_pool(options_.listen_address, options_.executors, options_.heartbeat_timeout,
                          options_.executor_connect_timeout);
  else
    pool_ = std::make_unique<LocalProcessPool>(options_.executors, options_.heartbeat_timeout,
                                               options_.executor_command);
}

std::vector<const DataSet*> JobResult::partitions() const {
  std::vector<const DataSet*> out;
  for (auto& o : outputs) out.push_back(&o.front());
  return out;
}

JobResult JobRunner::run(const std::vector<NodePtr>& targets,
                         const std::vector<std::string>& protected_dirs) {
  interrupted_ = false;
  // Executors of this machine start now, so that their start (a process, its DuckDB) overlaps
  // planning. Executors elsewhere are waited for only once the plan is known to be good.
  bool local_executors =
      !mpi_active() && options_.ray_address.empty() && options_.listen_address.empty();
  if (local_executors) start_executors();
  PlanOptions plan_options;
  plan_options.shuffle_producers = options_.shuffle_producers;
  TaskGraph graph = plan_tasks(options_.optimize ? optimize_plan(targets) : targets, plan_options);

  check_queries(graph);
  check_output_paths(graph, {options_.job_dir, protected_dirs, options_.overwrite});
  JobDir job_dir(options_.job_dir);
  job_dir.clear_scratch();
  mark_run_active(job_dir.root(), true);
  start_executors();

  SchedulerOptions sched;
  sched.job = ++jobs_run_;
  sched.max_retry = options_.fail_fast ? 0 : options_.max_retry;
  sched.max_fail = options_.fail_fast ? 0 : options_.max_fail;
  sched.fault_probability = options_.fault_probability;
  sched.flush_task_outputs = options_.flush_task_outputs;
  sched.memory_output_bytes = options_.memory_passing_bytes;
  sched.speculation = options_.speculation;
  sched.speculation_min_seconds = options_.speculation_min_seconds;
  sched.progress = options_.progress;
  sched.limits.threads = options_.threads_per_task;
  sched.limits.memory_limit = options_.memory_per_task;
  sched.limits.sandbox = options_.sandbox;
  sched.interrupted = &interrupted_;
  // Progress, notices, the task trace and the final summary all go through one observer.
  std::unique_ptr<JobObserver> observer =
      standard_observer(graph, options_.progress, job_dir.root() + "/log", &progress_);
  Scheduler scheduler(
      graph, *pool_, job_dir, [this](const DataSet& ds) { return count_rows(ds); }, sched,
      observer.get());

  JobResult result;
  std::vector<TaskOutputs> outputs;
  try {
    outputs = scheduler.run(result.report);
  } catch (...) {
    pool_->abandon();  // stop the attempts still running; the executors stay for the next run
    job_dir.clear_scratch();
    throw;
  }
  auto first_output = [&](int t) -> const DataSet& {
    if (outputs[t].empty())
      throw InternalError("task " + graph.tasks[t].label() + " finished without an output");
    return outputs[t].front();
  };
  std::vector<std::vector<const DataSet*>> sink_parts;
  for (auto& sink : graph.sinks) {
    if (options_.overwrite) sink.overwrite = true;
    sink_parts.emplace_back();
    for (int t : sink.tasks) sink_parts.back().push_back(&first_output(t));
  }
  publish_sinks(graph.sinks, sink_parts, local_engine());
  for (auto& sink : graph.sinks) result.report.published.push_back(sink.path);
  for (int t : graph.outputs) {
    first_output(t);  // there is one
    result.outputs.push_back(outputs[t]);
  }
  write_step_index(job_dir.root(), graph, outputs, step_index_);
  mark_run_active(job_dir.root(), false);
  job_dir.clear_scratch();
  observer->job_succeeded(result.report, options_.job_dir);
  return result;
}

}  // namespace smallpond
