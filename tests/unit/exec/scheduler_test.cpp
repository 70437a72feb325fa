// Scheduling logic on executor threads (InProcessPool) with scripted task runners.
#include "exec/scheduler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "exec/in_process_pool.h"
#include "exec/task_manifest.h"
#include "io/filesystem.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

// What the scripted runner saw, shared by all executor threads.
struct Log {
  std::mutex mutex;
  std::vector<std::pair<int, int>> runs;  // (task, executor) in start order
  std::set<int> finished;
  std::vector<std::pair<int, int>> completions;  // (task, attempt) in finishing order
  bool order_ok = true;
};

using Script = std::function<void(const TaskAssignment&, int executor, TaskOutcome&)>;

class ScriptedRunner : public TaskRunner {
 public:
  ScriptedRunner(int executor, Log& log, const TaskGraph& graph, Script script)
      : executor_(executor), log_(log), graph_(graph), script_(std::move(script)) {}
  std::string export_table(const std::string& table) override { return "exported " + table; }
  void drop_tables(const std::vector<std::string>&) override {}
  TaskOutcome run(const TaskAssignment& a) override {
    {
      std::lock_guard<std::mutex> lock(log_.mutex);
      log_.runs.push_back({a.task_id, executor_});
      for (int d : graph_.tasks[a.task_id].deps)
        if (graph_.tasks[d].on_executor() && !log_.finished.count(d)) log_.order_ok = false;
    }
    TaskOutcome o;
    o.job = a.job;
    o.task_id = a.task_id;
    o.attempt = a.attempt;
    o.ok = true;
    o.rows = 10;
    DataSet out;
    out.files = {{"/out/" + std::to_string(a.task_id), 0, -1}};
    o.outputs = {out};
    if (script_) script_(a, executor_, o);  // may change the outcome or throw SimulatedCrash
    std::lock_guard<std::mutex> lock(log_.mutex);
    if (o.ok) log_.finished.insert(a.task_id);
    log_.completions.push_back({a.task_id, a.attempt});
    return o;
  }

 private:
  int executor_;
  Log& log_;
  const TaskGraph& graph_;
  Script script_;
};

// source -> 4 x "a" -> 2 x "b" (each reading two a's) -> 1 x "c"
TaskGraph diamond() {
  TaskGraph g;
  g.steps = {"src", "a", "b", "c"};
  auto add = [&](TaskKind kind, const std::string& step, int partition, std::vector<int> deps) {
    Task t;
    t.id = static_cast<int>(g.tasks.size());
    t.kind = kind;
    t.step = step;
    t.partition = partition;
    t.deps = std::move(deps);
    t.key = "key" + std::to_string(t.id);
    if (kind == TaskKind::Source) {
      DataSet ds;
      ds.files = {{"/in.parquet", 0, -1}};
      t.params = Json::object();
      t.source_data = TaskOutputs({ds});
    } else {
      t.params = {{"sql", "SELECT 1"}};
    }
    g.tasks.push_back(t);
    return t.id;
  };
  int src = add(TaskKind::Source, "src", 0, {});
  std::vector<int> a;
  for (int i = 0; i < 4; i++) a.push_back(add(TaskKind::Sql, "a", i, {src}));
  int b0 = add(TaskKind::Sql, "b", 0, {a[0], a[1]});
  int b1 = add(TaskKind::Sql, "b", 1, {a[2], a[3]});
  g.outputs = {add(TaskKind::Sql, "c", 0, {b0, b1})};
  return g;
}

// source -> 1 x "a"
TaskGraph single() {
  TaskGraph g = diamond();
  g.steps = {"src", "a"};
  g.tasks.resize(2);
  g.outputs = {1};
  return g;
}

// Records what the scheduler reports, instead of printing it.
struct RecordingObserver : JobObserver {
  std::vector<TaskTrace::Entry> attempts;
  std::vector<std::string> notices;
  int finished_tasks = 0, finishes = 0;
  void attempt_ended(const TaskTrace::Entry& e) override { attempts.push_back(e); }
  void task_finished(const Task&) override { finished_tasks++; }
  void notice(const std::string& message) override { notices.push_back(message); }
  void tick() override {}
  void finish() override { finishes++; }
  void job_succeeded(const JobReport&, const std::string&) override {}
};

struct Harness {
  explicit Harness(TaskGraph g = diamond()) : graph(std::move(g)) {}
  RecordingObserver observer;
  TaskGraph graph;
  Log log;
  testing::TempDir dir;
  JobReport report;

  std::vector<TaskOutputs> run(Script script, int executors = 3, int max_retry = 2,
                               bool speculation = false) {
    InProcessPool pool(
        executors, [&](int e) { return std::make_unique<ScriptedRunner>(e, log, graph, script); });
    JobDir job_dir(dir.path());
    SchedulerOptions options;
    options.max_retry = max_retry;
    options.progress = false;
    options.speculation = speculation;
    options.speculation_min_seconds = 0.2;
    options.limits.memory_limit = 1 << 30;
    Scheduler scheduler(
        graph, pool, job_dir, [](const DataSet&) { return std::vector<int64_t>{}; }, options,
        &observer);
    return scheduler.run(report);
  }
};

TEST(Scheduler, RunsEveryTaskOnceAfterItsInputs) {
  Harness h;
  auto outputs = h.run(nullptr);
  EXPECT_TRUE(h.log.order_ok);
  EXPECT_EQ(h.log.runs.size(), 7u);
  std::set<int> ran;
  for (auto& r : h.log.runs) ran.insert(r.first);
  EXPECT_EQ(ran.size(), 7u);
  EXPECT_EQ(outputs[h.graph.outputs[0]][0].files[0].path, "/out/7");
  EXPECT_EQ(h.report.executed_tasks(), 7);
  EXPECT_EQ(h.report.step("a").rows, 40);
  EXPECT_EQ(h.report.step("src").tasks, 0);
}

// A source's output is its planned data sets themselves, not a copy (a million files would be
// a few hundred megabytes more in the driver).
TEST(Scheduler, ASourceOutputsItsPlannedDataSetsWithoutACopy) {
  Harness h;
  auto outputs = h.run(nullptr);
  const Task& source = h.graph.tasks[0];
  ASSERT_EQ(source.kind, TaskKind::Source);
  ASSERT_TRUE(outputs[source.id].known());
  EXPECT_TRUE(outputs[source.id].shares_storage_with(source.source_data));
  EXPECT_EQ(outputs[source.id][0].files[0].path, "/in.parquet");
}

TEST(Scheduler, RetriesAFailedAttempt) {
  Harness h;
  std::atomic<bool> failed{false};
  h.run([&](const TaskAssignment& a, int, TaskOutcome& o) {
    if (a.task_id == 2 && !failed.exchange(true)) {
      o.ok = false;
      o.error = "transient";
    }
  });
  int attempts = 0;
  for (auto& r : h.log.runs) attempts += r.first == 2;
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(h.report.step("a").retries, 1);
  EXPECT_TRUE(h.log.order_ok);
  // Everything reported goes through the observer: the failed attempt, the retry's notice.
  ASSERT_EQ(h.observer.notices.size(), 1u);
  EXPECT_EQ(h.observer.notices[0].rfind("retrying a[1] (attempt 1 failed): ", 0), 0u)
      << h.observer.notices[0];
  int failed_entries = 0;
  for (auto& e : h.observer.attempts) failed_entries += std::string(e.status) == "failed";
  EXPECT_EQ(failed_entries, 1);
  EXPECT_EQ(h.observer.attempts.size(), 8u);  // 7 executed + 1 failed
  EXPECT_EQ(h.observer.finished_tasks, 7);    // the executor tasks (progress counts those)
  EXPECT_EQ(h.observer.finishes, 1);
}

TEST(Scheduler, RetryPrefersAnotherExecutor) {
  for (int round = 0; round < 20; round++) {
    Harness h(single());  // one task: when it fails, every executor is idle
    h.run([&](const TaskAssignment& a, int, TaskOutcome& o) {
      if (a.attempt < 3) {
        o.ok = false;
        o.error = "transient";
      }
    });
    ASSERT_EQ(h.log.runs.size(), 3u);
    EXPECT_NE(h.log.runs[0].second, h.log.runs[1].second);
    EXPECT_NE(h.log.runs[1].second, h.log.runs[2].second);
    EXPECT_NE(h.log.runs[0].second, h.log.runs[2].second);  // three executors, three different ones
  }
}

TEST(Scheduler, NonRetryableErrorStopsTheJobAtOnce) {
  Harness h;
  try {
    h.run([&](const TaskAssignment& a, int, TaskOutcome& o) {
      if (a.task_id == 5) {
        o.ok = false;
        o.code = ErrorCode::InvalidInput;
        o.error = "b[0]: Binder Error: no column x";
      }
    });
    FAIL() << "expected an error";
  } catch (const ExecutionError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("step 'b'"), std::string::npos) << m;
    EXPECT_NE(m.find("Binder Error: no column x"), std::string::npos) << m;
    EXPECT_NE(m.find("not retried"), std::string::npos) << m;
  }
  int attempts = 0;
  for (auto& r : h.log.runs) attempts += r.first == 5;
  EXPECT_EQ(attempts, 1);
  for (auto& r : h.log.runs) EXPECT_NE(r.first, 7) << "downstream task ran after a failure";
}

TEST(Scheduler, GivesUpAfterMaxRetry) {
  Harness h;
  try {
    h.run(
        [&](const TaskAssignment& a, int, TaskOutcome& o) {
          if (a.task_id == 1) {
            o.ok = false;
            o.error = "always";
          }
        },
        3, /*max_retry=*/2);
    FAIL();
  } catch (const ExecutionError& e) {
    EXPECT_NE(std::string(e.what()).find("after 3 attempts"), std::string::npos) << e.what();
  }
}

TEST(Scheduler, LostExecutorIsReplacedAndItsTaskRetried) {
  Harness h;
  std::atomic<bool> crashed{false};
  h.run([&](const TaskAssignment& a, int, TaskOutcome&) {
    if (a.task_id == 6 && !crashed.exchange(true)) throw SimulatedCrash{"killed by signal 9"};
  });
  int attempts = 0;
  for (auto& r : h.log.runs) attempts += r.first == 6;
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(h.report.step("b").retries, 1);
  EXPECT_EQ(h.report.executed_tasks(), 7);
}

// A partition that knows no columns (a C++ function made no rows) is read by its consumer only
// once a sibling partition can lend its columns, however early it finished.
TEST(Scheduler, AnInputWithoutColumnsWaitsForASiblingToLendThem) {
  TaskGraph g = diamond();  // src -> a[0..3]; b[i] reads a[i] alone here
  g.tasks[5].deps = {1};
  g.tasks[6].deps = {2};
  g.tasks[7].deps = {5, 6};
  Harness h(g);
  std::mutex mutex;
  std::vector<std::string> b0_inputs;
  h.run([&](const TaskAssignment& a, int, TaskOutcome& o) {
    if (a.task_id == 1) {
      o.outputs = {DataSet()};  // no rows, columns unknown: done at once
    } else if (a.task_id >= 2 && a.task_id <= 4) {
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    } else if (a.task_id == 5) {
      std::lock_guard<std::mutex> lock(mutex);
      for (auto& in : a.inputs) b0_inputs.push_back(in.schema_file);
    }
  });
  ASSERT_EQ(b0_inputs.size(), 1u);
  EXPECT_EQ(b0_inputs[0].substr(0, 5), "/out/")
      << "b[0] ran before any sibling of a[0] had columns";
}

// The kernel's OOM killer ended an executor: the machine was full. The task is retried with
// twice the memory limit, alone.
TEST(Scheduler, AnOomKilledTaskIsRetriedAloneWithMoreMemory) {
  Harness h;
  std::atomic<bool> crashed{false};
  std::atomic<int> running{0};
  std::mutex mutex;
  std::vector<std::pair<int, int64_t>> retry;  // (tasks running beside it, memory limit)
  h.run([&](const TaskAssignment& a, int, TaskOutcome&) {
    int beside = running++;
    if (a.task_id == 1 && a.attempt > 1) {
      std::lock_guard<std::mutex> lock(mutex);
      retry.push_back({beside, a.limits.memory_limit});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
    if (a.task_id == 1 && !crashed.exchange(true)) {
      running--;
      throw SimulatedCrash{"killed by the kernel's out-of-memory killer", true};
    }
    if (a.task_id == 1) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      EXPECT_EQ(running - 1, 0) << "another task started beside the retry";
    }
    running--;
  });
  ASSERT_EQ(retry.size(), 1u);
  EXPECT_EQ(retry[0].first, 0);
  EXPECT_EQ(retry[0].second, int64_t(2) << 30);
  EXPECT_EQ(h.report.executed_tasks(), 7);
}

TEST(Scheduler, CrashingEveryExecutorStillFinishesWhenRetriesSuffice) {
  Harness h;
  std::atomic<int> crashes{0};
  h.run(
      [&](const TaskAssignment& a, int, TaskOutcome&) {
        if (a.attempt == 1 && crashes++ < 5) throw SimulatedCrash{};
      },
      2, /*max_retry=*/1);
  EXPECT_EQ(h.report.executed_tasks(), 7);
  EXPECT_TRUE(h.log.order_ok);
}

// source -> 8 x "a"
TaskGraph wide() {
  TaskGraph g = single();
  g.outputs.clear();
  for (int i = 0; i < 8; i++) {
    Task t = g.tasks[1];
    t.id = static_cast<int>(g.tasks.size());
    t.partition = i;
    t.key = "wide" + std::to_string(i);
    g.tasks.push_back(t);
    g.outputs.push_back(t.id);
  }
  g.tasks.erase(g.tasks.begin() + 1);  // drop the single task, renumber
  for (size_t i = 1; i < g.tasks.size(); i++) g.tasks[i].id = static_cast<int>(i);
  g.outputs.clear();
  for (size_t i = 1; i < g.tasks.size(); i++) g.outputs.push_back(static_cast<int>(i));
  return g;
}

TEST(Scheduler, SpeculationRestartsAStragglerElsewhere) {
  for (bool speculation : {true, false}) {
    Harness h(wide());
    h.run(
        [&](const TaskAssignment& a, int, TaskOutcome&) {
          if (a.task_id != 5 || a.attempt != 1) return;
          // The straggler: with speculation it is held until its twin has finished (however
          // slow the machine); without, it is just slow enough that a twin would be started.
          if (!speculation) {
            usleep(1500000);
            return;
          }
          for (int i = 0; i < 6000; i++) {
            {
              std::lock_guard<std::mutex> lock(h.log.mutex);
              for (auto& c : h.log.completions)
                if (c == std::pair<int, int>{5, 2}) return;
            }
            usleep(10000);
          }
        },
        3, 2, speculation);
    EXPECT_EQ(h.report.step("a").speculative, speculation ? 1 : 0);
    std::vector<int> executors;
    for (auto& r : h.log.runs)
      if (r.first == 5) executors.push_back(r.second);
    ASSERT_EQ(executors.size(), speculation ? 2u : 1u);
    // With speculation the second attempt, elsewhere, finished first.
    std::vector<int> finishing;
    for (auto& c : h.log.completions)
      if (c.first == 5) finishing.push_back(c.second);
    if (speculation) {
      EXPECT_NE(executors[0], executors[1]);
      EXPECT_EQ(finishing, (std::vector<int>{2, 1}));
    }
    EXPECT_EQ(h.report.executed_tasks(), 8);
  }
}

// Publishes task 1 ("a[0]") as a finished run would have, when the step was still called
// "old_a" (a renamed step keeps its outputs: they are found by key); returns its data file.
std::string publish_a0(const std::string& root) {
  JobDir job_dir(root);
  std::string dir = job_dir.task_dir("old_a", "sql-0", "key1");
  make_dirs(dir);
  write_file_atomic(dir + "/part-0.parquet", "the output of a[0]");
  TaskManifest m;
  m.key = "key1";
  m.label = "a[0]";
  m.rows = 99;
  DataSet out;
  out.files = {{dir + "/part-0.parquet", 0, -1}};
  m.outputs = {out};
  write_task_manifest(dir, dir, m);
  return dir + "/part-0.parquet";
}

TEST(Scheduler, ReusesPublishedOutputsWithTheSameKey) {
  Harness h;
  publish_a0(h.dir.path());
  auto outputs = h.run(nullptr);
  for (auto& r : h.log.runs) EXPECT_NE(r.first, 1);
  EXPECT_EQ(h.report.step("a").reused, 1);
  EXPECT_EQ(h.report.step("a").executed, 3);
  EXPECT_EQ(h.report.step("a").rows, 99 + 30);
  EXPECT_EQ(outputs[1][0].files[0].path, h.dir.path() + "/data/old_a.sql-0-key1/part-0.parquet");
}

// A published output whose files no longer are what its manifest recorded is recomputed.
TEST(Scheduler, RecomputesPublishedOutputsThatChanged) {
  std::vector<std::pair<std::string, std::function<void(const std::string&)>>> damages = {
      {"deleted", [](const std::string& f) { remove_all(f); }},
      {"truncated", [](const std::string& f) { write_file_atomic(f, "the output"); }},
      {"replaced, same size",
       [](const std::string& f) { write_file_atomic(f, "THE OUTPUT OF A[0]"); }},
      {"manifest emptied",
       [](const std::string& f) {
         write_file_atomic(f.substr(0, f.rfind('/')) + "/_manifest.json", "");
       }},
  };
  for (auto& [what, damage] : damages) {
    SCOPED_TRACE(what);
    Harness h;
    damage(publish_a0(h.dir.path()));
    h.run(nullptr);
    EXPECT_EQ(h.report.step("a").reused, 0);
    EXPECT_EQ(h.report.step("a").executed, 4);
  }
}

// source -> 1 x "p" -> 2 x "b", both reading p (as every consumer of a shuffle reads every
// producer); both b's are the job's outputs.
TaskGraph fan_out() {
  TaskGraph g = diamond();
  g.steps = {"src", "p", "b"};
  g.tasks.resize(1);
  auto add = [&](const std::string& step, int partition, std::vector<int> deps) {
    Task t;
    t.id = static_cast<int>(g.tasks.size());
    t.kind = TaskKind::Sql;
    t.step = step;
    t.partition = partition;
    t.deps = std::move(deps);
    t.key = "key" + std::to_string(t.id);
    t.params = {{"sql", "SELECT 1"}};
    g.tasks.push_back(t);
    return t.id;
  };
  int p = add("p", 0, {0});
  g.outputs = {add("b", 0, {p}), add("b", 1, {p})};
  return g;
}

// Task t's output and manifest, as a finished run would have left them; returns its directory.
std::string publish_task(const std::string& root, const Task& t) {
  std::string dir = JobDir(root).task_dir(t.step, t.name(), t.key);
  make_dirs(dir);
  write_file_atomic(dir + "/part-0.parquet", "the output of " + t.label());
  TaskManifest m;
  m.key = t.key;
  m.label = t.label();
  m.rows = 5;
  DataSet out;
  out.files = {{dir + "/part-0.parquet", 0, -1}};
  m.outputs = {out};
  write_task_manifest(dir, dir, m);
  return dir;
}

std::set<int> ran(const Harness& h) {
  std::set<int> out;
  for (auto& r : h.log.runs) out.insert(r.first);
  return out;
}

// b[0] was made from an earlier output of p; p's output and b[1]'s are gone. b[1] needs p made
// again, and b[0] beside it would be of the old version (other rows, or the rows in another
// order that a split by rows cuts elsewhere): it is made again too.
TEST(Scheduler, AReaderOfAnOutputMadeAnewIsMadeAnewToo) {
  Harness h(fan_out());
  std::string b0 = publish_task(h.dir.path(), h.graph.tasks[2]);
  h.run(nullptr);
  EXPECT_EQ(ran(h), (std::set<int>{1, 2, 3}));
  EXPECT_EQ(h.report.step("b").reused, 0);
  // Its old output's manifest is gone: the publish of the new one does not keep the old one
  // as a finished twin's.
  EXPECT_FALSE(path_exists(b0 + "/_manifest.json"));
}

// With p's output still there, nothing is made anew that b[0] reads: it is reused.
TEST(Scheduler, AReaderOfAReusedOutputIsReused) {
  Harness h(fan_out());
  publish_task(h.dir.path(), h.graph.tasks[1]);
  publish_task(h.dir.path(), h.graph.tasks[2]);
  h.run(nullptr);
  EXPECT_EQ(ran(h), (std::set<int>{3}));
  EXPECT_EQ(h.report.step("b").reused, 1);
}

// An output made from the old version that this run does not need is not run, but no later
// run may reuse it beside the new version either: its manifest is removed.
TEST(Scheduler, AnOutputOfTheOldVersionThatIsNotNeededIsNotReusedLater) {
  Harness h(fan_out());
  h.graph.outputs = {3};
  std::string b0 = publish_task(h.dir.path(), h.graph.tasks[2]);
  h.run(nullptr);
  EXPECT_EQ(ran(h), (std::set<int>{1, 3}));
  EXPECT_FALSE(path_exists(b0 + "/_manifest.json"));
  EXPECT_FALSE(read_task_manifest(b0, h.graph.tasks[2].key));
}

}  // namespace
}  // namespace smallpond

namespace smallpond {
namespace {

// cancel() has one meaning in every pool: the cancelled attempt's result never arrives, and
// the executor takes the next task.
TEST(InProcessPool, ACancelledAttemptsResultNeverArrives) {
  std::atomic<bool> release{false};
  InProcessPool pool(1, [&](int) {
    struct Slow : TaskRunner {
      std::atomic<bool>& release;
      explicit Slow(std::atomic<bool>& r) : release(r) {}
      TaskOutcome run(const TaskAssignment& a) override {
        while (a.task_id == 1 && !release) usleep(1000);
        TaskOutcome o;
        o.job = a.job;
        o.task_id = a.task_id;
        o.attempt = a.attempt;
        o.ok = true;
        return o;
      }
      std::string export_table(const std::string&) override { return ""; }
      void drop_tables(const std::vector<std::string>&) override {}
    };
    return std::make_unique<Slow>(release);
  });
  TaskAssignment first;
  first.task_id = 1;
  first.attempt = 1;
  pool.assign(0, first);
  pool.cancel(0);
  release = true;  // it finishes now, cancelled
  TaskAssignment second;
  second.task_id = 2;
  second.attempt = 1;
  pool.assign(0, second);
  auto event = pool.wait(30);
  ASSERT_TRUE(event.has_value());
  EXPECT_EQ(event->outcome.task_id, 2);
  EXPECT_FALSE(pool.wait(0.2).has_value()) << "the cancelled attempt's result arrived";
}

}  // namespace
}  // namespace smallpond
