// The scheduler at a size real executors cannot reach here: 20 000 tasks on 200 simulated
// executors with failures and lost executors (the small version of bench/scheduler_sim).
#include <gtest/gtest.h>

#include <vector>

#include "exec/scheduler.h"
#include "exec/simulated_pool.h"
#include "io/job_dir.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

TEST(SchedulerSimulation, EveryTaskOnceAfterItsInputsDespiteFailures) {
  TaskGraph graph = simulated_graph(20000, 9);
  std::vector<int> assigned(graph.tasks.size(), 0);
  bool order_ok = true;
  SimulationOptions sim;
  sim.executors = 200;
  sim.fail_probability = 0.05;
  sim.lose_probability = 0.01;
  sim.on_assign = [&](const TaskAssignment& a) {
    for (int d : graph.tasks[a.task_id].deps) order_ok = order_ok && assigned[d] > 0;
    assigned[a.task_id]++;
  };
  SimulatedPool pool(sim);
  testing::TempDir dir;
  JobDir job_dir(dir.path());
  SchedulerOptions options;
  options.progress = false;
  options.max_retry = 20;
  Scheduler scheduler(
      graph, pool, job_dir, [](const DataSet&) { return std::vector<int64_t>{}; }, options);
  JobReport report;
  auto outputs = scheduler.run(report);
  EXPECT_TRUE(order_ok);
  EXPECT_EQ(report.executed_tasks(), static_cast<int>(graph.tasks.size()));
  EXPECT_GT(report.step("a").retries, 0);
  for (int t : graph.outputs) {
    ASSERT_TRUE(outputs[t].known());
    ASSERT_EQ(outputs[t].size(), 1u);
    EXPECT_EQ(outputs[t][0].files.at(0).path, "/simulated/" + std::to_string(t));
  }
  int64_t attempts = 0;
  for (int n : assigned) attempts += n;
  EXPECT_EQ(attempts, pool.attempts());
  EXPECT_GT(attempts, static_cast<int64_t>(graph.tasks.size()));  // failures were retried
}

}  // namespace
}  // namespace smallpond
