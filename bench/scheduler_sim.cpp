// The scheduler's own cost on very large jobs: simulated executors (exec/simulated_pool) that
// end every attempt at once, so all the time measured is the scheduler's (and the job
// directory's manifest look-ups and task trace).
//
// usage: scheduler_sim [--tasks N] [--executors E] [--fan-in F] [--fail P] [--lose P]
//        scheduler_sim --plan-partitions N   (only plans read -> repartition(N) -> SQL)
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "common/strings.h"
#include "engine/engine.h"
#include "exec/scheduler.h"
#include "exec/simulated_pool.h"
#include "io/filesystem.h"
#include "io/job_dir.h"
#include "logical/node.h"
#include "planner/planner.h"

namespace sp = smallpond;

static double cpu_seconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char** argv) {
  int64_t tasks = 100000;
  int executors = 1000, fan_in = 9;
  double fail = 0.01, lose = 0.001;
  std::string work = "/tmp/smallpond-scheduler-sim";
  CLI::App app{"scheduler_sim: the scheduler's CPU time and memory per task"};
  app.add_option("--tasks", tasks, "Executor tasks")->default_val(tasks);
  app.add_option("--executors", executors, "Simulated executors")->default_val(executors);
  app.add_option("--fan-in", fan_in, "Tasks of step a read by each task of step b")
      ->default_val(fan_in);
  app.add_option("--fail", fail, "Probability that an attempt fails")->default_val(fail);
  app.add_option("--lose", lose, "Probability that an attempt loses its executor")
      ->default_val(lose);
  app.add_option("--work", work, "Job directory (removed first)")->default_val(work);
  int64_t plan_partitions = 0;
  app.add_option("--plan-partitions", plan_partitions,
                 "Only plan a job of this many partitions (metadata: even split and picks, then "
                 "one SQL task each) and report time and memory");
  CLI11_PARSE(app, argc, argv);

  if (plan_partitions > 0) {
    sp::remove_all(work);
    sp::make_dirs(work);
    std::string file = work + "/items.parquet";
    sp::Engine().connect()->query_int("COPY (SELECT range AS item FROM range(1000)) TO " +
                                      sp::sql_string(file) + " (FORMAT parquet)");
    auto source = std::make_shared<sp::Node>();
    source->id = 1;
    source->name = "items";
    source->patterns = {file};
    auto split = std::make_shared<sp::Node>();
    split->id = 2;
    split->kind = sp::NodeKind::EvenPartition;
    split->name = "parts";
    split->npartitions = static_cast<int>(plan_partitions);
    split->inputs = {source};
    auto sql = std::make_shared<sp::Node>();
    sql->id = 3;
    sql->kind = sp::NodeKind::SqlEngine;
    sql->name = "counts";
    sql->sql = "SELECT count(*) AS n FROM {0}";
    sql->inputs = {split};
    double cpu0 = cpu_seconds();
    sp::TaskGraph graph = sp::plan_tasks({sql}, sp::PlanOptions{});
    double cpu = cpu_seconds() - cpu0;
    rusage u;
    getrusage(RUSAGE_SELF, &u);
    std::printf(
        "plan: %lld partitions -> %zu tasks in %.2f s CPU (%.1f us per task); peak memory "
        "%.0f MB\n",
        static_cast<long long>(plan_partitions), graph.tasks.size(), cpu,
        1e6 * cpu / graph.tasks.size(), u.ru_maxrss / 1024.0);
    sp::remove_all(work);
    return 0;
  }

  sp::remove_all(work);
  double cpu0 = cpu_seconds();
  auto wall0 = std::chrono::steady_clock::now();
  sp::TaskGraph graph = sp::simulated_graph(tasks, fan_in);
  double plan_cpu = cpu_seconds() - cpu0;

  sp::SimulationOptions sim;
  sim.executors = executors;
  sim.fail_probability = fail;
  sim.lose_probability = lose;
  sp::SimulatedPool pool(sim);
  sp::JobDir job_dir(work);
  sp::SchedulerOptions options;
  options.progress = false;
  options.max_retry = 20;
  sp::Scheduler scheduler(
      graph, pool, job_dir, [](const sp::DataSet&) { return std::vector<int64_t>{}; }, options);
  sp::JobReport report;
  double cpu1 = cpu_seconds();
  scheduler.run(report);
  double run_cpu = cpu_seconds() - cpu1;
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  std::printf(
      "scheduler_sim: %lld tasks (%lld attempts) on %d simulated executors: scheduler %.2f s CPU "
      "= %.1f us per task; graph %.2f s; wall %.2f s; peak memory %.0f MB\n",
      static_cast<long long>(graph.tasks.size()), static_cast<long long>(pool.attempts()),
      executors, run_cpu, 1e6 * run_cpu / graph.tasks.size(), plan_cpu, wall, u.ru_maxrss / 1024.0);
  sp::remove_all(work);
  return report.executed_tasks() == static_cast<int>(graph.tasks.size()) ? 0 : 1;
}
