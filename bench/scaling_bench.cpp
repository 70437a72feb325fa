// scaling_bench: how smallpond-cpp scales with executors, against DuckDB with as many threads,
// and what one task costs the scheduler.
//
//   scaling:  the quick-start pipeline (hash-repartition by ticker into max(3, k) partitions,
//             per-partition GROUP BY, write Parquet) with k executors, vs one DuckDB COPY of
//             the same GROUP BY with k threads, for k in --executors (default 1,2,4,...,cores)
//   memory:   --memory-passing P: many small intermediates (P partial aggregates feeding one
//             final aggregate, and variants), with in-memory passing off and on
//   overhead: --tiny-tasks N tasks that each count one row (N partitions of an N-row table);
//             total seconds and milliseconds per task, with the default executors
//   jobs:     --jobs N small quick starts in one session: the fixed cost of a job, with its
//             tasks run and with all of them reused
//
// usage: scaling_bench [--rows N] [--data DIR] [--work DIR] [--executors 1,2,4] [--tiny-tasks N]
//                      [--memory-passing P [--repeat N] [--verbose]] [--jobs N]
// Under mpirun, the executors are the MPI ranks and only the overhead mode runs.

#include <smallpond/smallpond.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "common/strings.h"
#include "common/system.h"
#include "datagen/prices.h"
#include "engine/engine.h"
#include "exec/mpi/mpi_runtime.h"
#include "io/filesystem.h"

namespace sp = smallpond;

namespace {

const char* kGroupBy = "SELECT ticker, min(price) AS lo, max(price) AS hi, count(*) AS n FROM ";

bool flush_task_outputs = false;  // --flush-task-outputs

sp::Options options_for(const std::string& job_dir, int executors, int threads_per_task) {
  sp::Options o;
  o.flush_task_outputs = flush_task_outputs;
  o.job_dir = job_dir;
  o.executors = executors;
  o.threads_per_task =
      threads_per_task;  // k executors x 1 thread uses k cores, as DuckDB with k threads
  o.progress = false;
  return o;
}

double time_it(const std::function<void()>& f) {
  double start = sp::monotonic_seconds();
  f();
  return sp::monotonic_seconds() - start;
}

void scaling(const std::string& data, const std::string& work, const std::vector<int>& ks) {
  std::vector<std::string> files;
  for (auto& f : sp::expand_path(data, ".parquet")) files.push_back(f.path);
  std::printf("%9s %12s %10s %7s %10s %10s\n", "executors", "smallpond_s", "duckdb_s", "ratio",
              "sp_speedup", "db_speedup");
  double sp1 = 0, db1 = 0;
  for (int k : ks) {
    double sp_s, db_s;
    {
      std::string job = work + "/job-" + std::to_string(k);
      sp::remove_all(job);
      auto session = sp::init(options_for(job, k, 1));
      session.partial_sql("SELECT count(*) FROM {0}", session.read_parquet(data + "/*.parquet"))
          .count();  // warm
      sp::remove_all(work + "/out-sp");
      sp_s = time_it([&] {
        auto df = session.read_parquet(data + "/*.parquet").repartition(std::max(3, k), "ticker");
        session.partial_sql(std::string(kGroupBy) + "{0} GROUP BY ticker", df)
            .write_parquet(work + "/out-sp");
      });
      session.shutdown();
      sp::remove_all(job);
    }
    {
      sp::Engine engine(/*preserve_order=*/false);
      sp::EngineLimits limits;
      limits.threads = k;
      auto con = engine.connect(limits);
      db_s = time_it([&] {
        con->query_int("COPY (" + std::string(kGroupBy) + "read_parquet(" +
                       sp::sql_string_list(files) + ") GROUP BY ticker) TO " +
                       sp::sql_string(work + "/out-db.parquet") + " (FORMAT parquet)");
      });
    }
    if (sp1 == 0) {
      sp1 = sp_s;
      db1 = db_s;
    }
    std::printf("%9d %12.3f %10.3f %7.2f %10.2f %10.2f\n", k, sp_s, db_s, sp_s / db_s, sp1 / sp_s,
                db1 / db_s);
    std::fflush(stdout);
  }
}

void overhead(const std::string& work, int tasks, int executors) {
  std::string items = work + "/items-" + std::to_string(tasks);
  if (!sp::path_exists(items)) {
    sp::Engine engine;
    sp::make_dirs(items);
    engine.connect()->query_int("COPY (SELECT range AS item FROM range(" + std::to_string(tasks) +
                                ")) TO " + sp::sql_string(items + "/items.parquet") +
                                " (FORMAT parquet)");
  }
  std::string job = work + "/job-overhead";
  sp::remove_all(job);
  auto session = sp::init(options_for(job, executors, 0));
  session.partial_sql("SELECT 1").count();  // starts the executors
  double seconds = time_it([&] {
    auto parts = session.read_parquet(items).repartition_by_rows(tasks);
    int64_t rows = session.partial_sql("SELECT count(*) AS n FROM {0}", parts).count();
    if (rows != tasks) throw sp::InternalError("expected one row per task");
  });
  double job_s = session.last_report().seconds;  // the run itself, without reading the counts back
  std::printf(
      "overhead: %d tasks on %d executors%s: job %.2f s = %.2f ms per task (%.2f s with planning "
      "and reading)\n",
      tasks, session.options().executors, sp::mpi_active() ? " (MPI ranks)" : "", job_s,
      1000 * job_s / tasks, seconds);
  sp::remove_all(job);
}

// The fixed cost of a job, what a session pays for every action however small its data: the
// quick start (hash repartition by ticker into 3, GROUP BY, write) on a small input, `jobs` times
// in one session. Each job filters by another constant, so that its tasks run; then the same job
// again, every task reused: what planning, scheduling and publishing cost alone.
void job_overhead(const std::string& data, const std::string& work, int jobs) {
  std::string job = work + "/job-fixed", out = work + "/out-fixed";
  sp::remove_all(job);
  auto session = sp::init(options_for(job, 0, 0));
  session.partial_sql("SELECT count(*) FROM {0}", session.read_parquet(data + "/*.parquet"))
      .count();  // warm: executors, page cache
  auto run = [&](int r) {
    auto parts = session.read_parquet(data + "/*.parquet").repartition(3, "ticker");
    session
        .partial_sql(
            std::string(kGroupBy) + "{0} WHERE price > -" + std::to_string(r) + " GROUP BY ticker",
            parts)
        .write_parquet(out);
  };
  std::vector<double> ran, reused;
  for (int r = 1; r <= jobs; r++) {
    sp::remove_all(out);
    ran.push_back(time_it([&] { run(r); }));
    sp::remove_all(out);
    reused.push_back(time_it([&] { run(r); }));
    if (session.last_report().executed_tasks() != 0)
      throw sp::InternalError("the same job again ran tasks");
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf(
      "jobs: %d quick starts on %s, %d executors: median %.1f ms a job, %.1f ms with every task "
      "reused\n",
      jobs, data.c_str(), session.options().executors, 1000 * median(ran), 1000 * median(reused));
  session.shutdown();
  sp::remove_all(job);
}

// Many small intermediate results, with in-memory passing off (every intermediate is a Parquet
// file) and on, on the same data in one run, each side timed `repeat` times (alternating), best
// kept. Cases:
//   fan-in:  P partial aggregates (one row per ticker) feeding one final aggregate: the partials
//            cross to the final task's executor
//   chain:   three per-partition steps before the same fan-in: each partition's intermediates
//            stay with its executor
//   tiny:    P one-row partial aggregates feeding one final aggregate: many tiny files
// Both sides' outputs are compared; a difference fails the benchmark.
void memory_passing(const std::string& data, const std::string& work, int partitions, int repeat,
                    bool verbose) {
  struct Case {
    const char* name;
    std::vector<std::string> steps;  // per partition, in order
    std::string final_sql;
  };
  const std::string by_ticker =
      "SELECT ticker, sum(n)::BIGINT AS n, min(lo) AS lo, max(hi) AS hi FROM {0} GROUP BY ticker";
  const std::string partial =
      "SELECT ticker, count(*) AS n, min(price) AS lo, max(price) AS hi FROM {0} GROUP BY ticker";
  const std::vector<Case> cases = {
      {"fan-in", {partial}, by_ticker},
      {"chain",
       {partial, "SELECT ticker, n, lo, hi, hi - lo AS spread FROM {0}",
        "SELECT ticker, n, lo, hi FROM {0} WHERE spread >= 0"},
       by_ticker},
      {"tiny",
       {"SELECT count(*) AS n, min(price) AS lo, max(price) AS hi, sum(volume)::BIGINT AS v "
        "FROM {0}"},
       "SELECT sum(n)::BIGINT AS n, min(lo) AS lo, max(hi) AS hi, sum(v)::BIGINT AS v FROM {0}"},
  };
  std::printf("memory passing: %d partitions (%s), best of %d\n", partitions, data.c_str(), repeat);
  std::printf("%-8s %10s %10s %14s  %s\n", "case", "files_s", "memory_s", "files/memory",
              "same result");
  bool all_same = true;
  for (auto& c : cases) {
    double best[2] = {1e30, 1e30};
    const int64_t thresholds[2] = {0, 64 << 20};
    std::string out[2] = {work + "/out-files", work + "/out-memory"};
    for (int r = 0; r < repeat; r++) {
      for (int i = 0; i < 2; i++) {
        std::string job = work + "/job-memory-" + std::to_string(i);
        sp::remove_all(job);
        sp::Options o = options_for(job, 0, 0);
        o.memory_passing_bytes = thresholds[i];
        o.optimize = false;  // keep the steps apart: fusing them is the other way to avoid files
        auto session = sp::init(o);
        auto parts = session.read_parquet(data + "/*.parquet").repartition_by_rows(partitions);
        session.partial_sql("SELECT count(*) FROM {0}", parts)
            .count();  // warm: executors, page cache
        sp::remove_all(out[i]);
        double seconds = time_it([&] {
          auto df = parts;
          for (auto& sql : c.steps) df = session.partial_sql(sql, df);
          session.partial_sql(c.final_sql, df.repartition(1)).write_parquet(out[i]);
        });
        best[i] = std::min(best[i], seconds);
        if (verbose)
          std::fprintf(stderr, "%s %s %.3f s\n%s", c.name, i ? "memory" : "files", seconds,
                       session.last_report().to_string().c_str());
        session.shutdown();
        sp::remove_all(job);
      }
    }
    // The same rows on both sides (min/max/sum/count: exact, whatever the order of rows).
    sp::Engine engine;
    auto read = [&](int i) {
      return "read_parquet(" + sp::sql_string(out[i] + "/*.parquet") + ")";
    };
    int64_t differ = engine.connect()->query_int(
        "SELECT count(*) FROM ((SELECT * FROM " + read(0) + " EXCEPT ALL SELECT * FROM " + read(1) +
        ") UNION ALL (SELECT * FROM " + read(1) + " EXCEPT ALL SELECT * FROM " + read(0) + "))");
    all_same = all_same && differ == 0;
    std::printf("%-8s %10.3f %10.3f %14.2f  %s\n", c.name, best[0], best[1], best[0] / best[1],
                differ == 0 ? "yes" : "NO");
    std::fflush(stdout);
  }
  if (!all_same) throw sp::InternalError("in-memory passing changed a result");
}

}  // namespace

int main(int argc, char** argv) {
  sp::serve_if_executor();  // executors (and MPI ranks other than 0) serve tasks here
  int64_t rows = 50'000'000;
  std::string data, work = "bench/work", executors_list;
  int tiny_tasks = 0, memory_partitions = 0, jobs = 0;
  CLI::App app{"scaling_bench: smallpond-cpp executors vs DuckDB threads; scheduler overhead"};
  app.add_option("--rows", rows, "Rows of the generated prices table")->default_val(rows);
  app.add_option("--data", data, "Prices directory (generated when absent)");
  app.add_option("--work", work, "Work directory")->default_val(work);
  app.add_option("--executors", executors_list,
                 "Executor counts, e.g. 1,2,4,8,16 (default: powers of 2 to cores)");
  app.add_option("--tiny-tasks", tiny_tasks, "Only measure the overhead of this many tiny tasks");
  app.add_option("--jobs", jobs,
                 "Only measure the fixed cost of a job: this many small quick starts in one "
                 "session (--rows defaults to 200000 here)");
  app.add_option("--memory-passing", memory_partitions,
                 "Only compare in-memory passing off/on, with this many partial aggregates");
  bool verbose = false;
  int repeat = 1;
  app.add_option("--repeat", repeat, "Memory passing: runs of each side; the best is reported")
      ->default_val(repeat);
  app.add_flag("--verbose", verbose, "Per-step reports of the smallpond runs, on stderr");
  app.add_flag("--flush-task-outputs", flush_task_outputs,
               "Flush every task output to disk when its task ends (Options::flush_task_outputs)");
  CLI11_PARSE(app, argc, argv);
  try {
    work = sp::absolute_path(work);
    sp::make_dirs(work);
    if (tiny_tasks > 0 || sp::mpi_active()) {
      overhead(work, tiny_tasks > 0 ? tiny_tasks : 10000, 0);
      return 0;
    }
    if (jobs > 0 && app.get_option("--rows")->count() == 0) rows = 200'000;
    if (data.empty())
      data = "bench/data/prices-" + (rows >= 1'000'000 ? std::to_string(rows / 1'000'000) + "m"
                                                       : std::to_string(rows / 1000) + "k");
    data = sp::absolute_path(data);
    if (!sp::path_exists(data)) sp::generate_prices(data, {rows, 20, 2000});
    if (jobs > 0) {
      job_overhead(data, work, jobs);
      return 0;
    }
    if (memory_partitions > 0) {
      memory_passing(data, work, memory_partitions, repeat, verbose);
      return 0;
    }
    std::vector<int> ks;
    if (executors_list.empty()) {
      for (int k = 1; k <= sp::cpu_count(); k *= 2) ks.push_back(k);
      if (ks.back() != sp::cpu_count()) ks.push_back(sp::cpu_count());
    } else {
      std::stringstream ss(executors_list);
      for (std::string item; std::getline(ss, item, ',');) ks.push_back(std::stoi(item));
    }
    std::printf("scaling_bench: %s, %d cores\n", data.c_str(), sp::cpu_count());
    scaling(data, work, ks);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scaling_bench: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
