// shuffle_bench: smallpond-cpp against DuckDB alone, on the same "prices" table, in one run.
//
//   groupby:   read_parquet -> repartition(P, "ticker") -> per-partition GROUP BY -> Parquet
//              vs. one DuckDB COPY (SELECT ... GROUP BY ticker) TO file
//   partition: read_parquet -> repartition(16, "ticker") -> Parquet
//              vs. one DuckDB COPY (SELECT *, hash(ticker) % 16 ...) TO dir (PARTITION_BY)
//   filter:    read_parquet -> filter(price > 500) -> Parquet (one task per input file)
//              vs. one DuckDB COPY (SELECT * ... WHERE price > 500) TO file
//
// usage: shuffle_bench [--rows N] [--data DIR] [--work DIR] [--partitions P] [--executors N]
//                      [--repeat N] [--verbose]
//
// Exits 1 when the two sides of a case disagree, 2 on errors.

#include <smallpond/smallpond.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "common/strings.h"
#include "common/system.h"
#include "datagen/prices.h"
#include "engine/engine.h"
#include "io/filesystem.h"

namespace sp = smallpond;

namespace {

constexpr int kBuckets = 16;  // partitions of the "partition" case
constexpr int kFiles = 20;
constexpr int kTickers = 2000;
constexpr int kMaxCount = 100'000;  // bound of --partitions, --executors, --repeat

struct Args {
  int64_t rows = 50'000'000;
  std::string data_dir;  // default: bench/data/prices-<rows>
  std::string work_dir = "bench/work";
  int partitions = 3;
  int executors = 0;
  int repeat = 1;
  bool verbose = false;
  bool flush_task_outputs = false;
  int shuffle_producers = 0;
};

// Short row counts for directory names: 50000000 -> "50m".
std::string rows_label(int64_t rows) {
  if (rows % 1'000'000 == 0) return std::to_string(rows / 1'000'000) + "m";
  if (rows % 1'000 == 0) return std::to_string(rows / 1'000) + "k";
  return std::to_string(rows);
}

// Best wall time of `repeat` runs. `prepare` (untimed) removes what an earlier run left, so
// that neither side pays for deleting old outputs and smallpond resumes nothing.
double best_of(const Args& args, const std::string& label, const std::function<void()>& prepare,
               const std::function<void()>& run) {
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i < args.repeat; i++) {
    prepare();
    double start = sp::monotonic_seconds();
    run();
    double seconds = sp::monotonic_seconds() - start;
    best = std::min(best, seconds);
    if (args.verbose)
      std::fprintf(stderr, "%-20s run %d/%d: %.3f s\n", label.c_str(), i + 1, args.repeat, seconds);
  }
  return best;
}

// One row of a query whose result is a single row.
std::vector<sp::Value> one_row(sp::EngineConnection& con, const std::string& sql) {
  sp::Table t = con.query(sql);
  if (t.num_rows() != 1) throw sp::InternalError("expected one row from: " + sql);
  return t.rows[0];
}

std::string text(const std::vector<sp::Value>& row) {
  std::vector<std::string> cells;
  for (auto& v : row) cells.push_back(v.to_string());
  return sp::join(cells, ", ");
}

// groupby: both outputs must hold the same (ticker, lo, hi, n) rows.
bool check_groupby(sp::EngineConnection& con, const std::string& smallpond_out,
                   const std::string& duckdb_out, int64_t input_rows) {
  auto stats = [&](const std::string& files) {
    return one_row(con, "SELECT count(*), sum(n)::BIGINT FROM read_parquet(" + files + ")");
  };
  std::string a = sp::sql_string(smallpond_out + "/*.parquet"), b = sp::sql_string(duckdb_out);
  auto sa = stats(a), sb = stats(b);
  auto rows_of = [](const std::string& files) {
    return "SELECT ticker, lo, hi, n FROM read_parquet(" + files + ")";
  };
  int64_t differing =
      con.query_int("SELECT count(*) FROM ((" + rows_of(a) + " EXCEPT ALL " + rows_of(b) +
                    ") UNION ALL (" + rows_of(b) + " EXCEPT ALL " + rows_of(a) + "))");
  bool ok = sa == sb && differing == 0 && sa[1].as_int() == input_rows;
  std::printf("check groupby:   %s (groups, rows) smallpond %s, duckdb %s; %lld rows differ\n",
              ok ? "ok" : "MISMATCH", text(sa).c_str(), text(sb).c_str(),
              static_cast<long long>(differing));
  return ok;
}

// filter: the same rows on both sides.
bool check_filter(sp::EngineConnection& con, const std::string& smallpond_out,
                  const std::string& duckdb_out) {
  auto stats = [&](const std::string& files) {
    return one_row(con,
                   "SELECT count(*), sum(hash(ticker, date, price, volume))::HUGEINT FROM "
                   "read_parquet(" +
                       files + ")");
  };
  auto sa = stats(sp::sql_string(smallpond_out + "/*.parquet"));
  auto sb = stats(sp::sql_string(duckdb_out));
  bool ok = sa == sb;
  std::printf("check filter:    %s (rows, row hash) smallpond %s, duckdb %s\n",
              ok ? "ok" : "MISMATCH", text(sa).c_str(), text(sb).c_str());
  return ok;
}

// partition: the partitioners hash differently, so compare content sums, and check that each
// side keeps every ticker in a single partition.
bool check_partition(sp::EngineConnection& con, const std::string& smallpond_out,
                     const std::string& duckdb_out, int64_t input_rows) {
  auto stats = [&](const std::string& source) {
    return one_row(con,
                   "SELECT sum(n)::BIGINT, count(*), sum(v)::BIGINT, count(*) FILTER (parts > 1) "
                   "FROM (SELECT ticker, count(*) AS n, sum(volume) AS v, "
                   "count(DISTINCT part) AS parts FROM (" +
                       source + ") GROUP BY ticker)");
  };
  // smallpond names its files part-<partition>-<index>.parquet.
  auto sa = stats(
      "SELECT ticker, volume, regexp_extract(filename, 'part-([0-9]+)-', 1) AS part "
      "FROM read_parquet(" +
      sp::sql_string(smallpond_out + "/*.parquet") + ", filename = true)");
  auto sb = stats("SELECT ticker, volume, bucket AS part FROM read_parquet(" +
                  sp::sql_string(duckdb_out + "/**/*.parquet") + ", hive_partitioning = true)");
  bool ok = sa == sb && sa[0].as_int() == input_rows && sa[3].as_int() == 0;
  std::printf(
      "check partition: %s (rows, tickers, sum(volume), split tickers) smallpond %s, duckdb %s\n",
      ok ? "ok" : "MISMATCH", text(sa).c_str(), text(sb).c_str());
  return ok;
}

int run_bench(sp::Session& session, const Args& args) {
  const int cores = sp::cpu_count();
  const std::string work = sp::absolute_path(args.work_dir);
  const std::string job_dir = session.options().job_dir;
  std::string data_dir = args.data_dir;
  if (data_dir.empty()) data_dir = "bench/data/prices-" + rows_label(args.rows);
  data_dir = sp::absolute_path(data_dir);

  // Generated before the first action: its DuckDB is gone before executors are forked.
  if (!sp::path_exists(data_dir)) {
    std::fprintf(stderr, "generating %lld rows into %s (once)...\n",
                 static_cast<long long>(args.rows), data_dir.c_str());
    sp::generate_prices(data_dir, {args.rows, kFiles, kTickers});
  }
  std::vector<std::string> files;
  for (auto& f : sp::expand_path(data_dir, ".parquet")) files.push_back(f.path);
  if (files.empty()) throw sp::InvalidInputError("no Parquet files in " + data_dir);
  const std::string glob = data_dir + "/*.parquet";

  // Warm-up, untimed: starts the executors and reads every column once, so that both sides
  // find the input in the page cache.
  std::fprintf(stderr, "warm-up: starting executors, reading the input once...\n");
  double warm_start = sp::monotonic_seconds();
  sp::remove_all(job_dir);
  int warm_parts = std::min<int>(session.options().executors, files.size());
  sp::Table warm = session
                       .partial_sql(
                           "SELECT count(*) AS n, max(ticker) AS t, max(date) AS d, "
                           "sum(price) AS p, sum(volume)::BIGINT AS v FROM {0}",
                           session.read_parquet(glob).repartition(warm_parts))
                       .to_table();
  int64_t input_rows = 0;
  for (auto& row : warm.rows) input_rows += row[0].as_int();
  double warm_seconds = sp::monotonic_seconds() - warm_start;
  if (input_rows != args.rows)
    std::fprintf(stderr, "note: %s holds %lld rows, not --rows %lld\n", data_dir.c_str(),
                 static_cast<long long>(input_rows), static_cast<long long>(args.rows));

  // Only now, with the executors running, this process starts its own DuckDB threads.
  sp::Engine engine(/*preserve_order=*/false);  // as the executors: lets DuckDB write in parallel
  sp::EngineLimits limits;
  limits.threads = cores;
  limits.memory_limit = sp::physical_memory_bytes() * 8 / 10;  // what all executors get together
  limits.temp_directory = work + "/duckdb_tmp";
  auto con = engine.connect(limits);
  const std::string file_list = sp::sql_string_list(files);

  const std::string groupby_sp = work + "/groupby-smallpond";
  const std::string groupby_duck = work + "/groupby-duckdb.parquet";
  const std::string partition_sp = work + "/partition-smallpond";
  const std::string partition_duck = work + "/partition-duckdb";
  const std::string filter_sp = work + "/filter-smallpond";
  const std::string filter_duck = work + "/filter-duckdb.parquet";
  auto fresh = [&](const std::string& out) {
    return [&job_dir, out] {
      sp::remove_all(job_dir);
      sp::remove_all(out);
    };
  };
  auto report = [&](const sp::JobReport& r) {
    if (args.verbose) std::fprintf(stderr, "%s", r.to_string().c_str());
  };

  double groupby_sp_s = best_of(args, "groupby smallpond", fresh(groupby_sp), [&] {
    auto df = session.read_parquet(glob).repartition(args.partitions, "ticker");
    df = session.partial_sql(
        "SELECT ticker, min(price) AS lo, max(price) AS hi, count(*) AS n FROM {0} GROUP BY ticker",
        df);
    report(df.write_parquet(groupby_sp));
  });
  double groupby_duck_s = best_of(args, "groupby duckdb", fresh(groupby_duck), [&] {
    con->query_int(
        "COPY (SELECT ticker, min(price) AS lo, max(price) AS hi, count(*) AS n FROM "
        "read_parquet(" +
        file_list + ") GROUP BY ticker) TO " + sp::sql_string(groupby_duck) + " (FORMAT parquet)");
  });
  double partition_sp_s = best_of(args, "partition smallpond", fresh(partition_sp), [&] {
    report(session.read_parquet(glob).repartition(kBuckets, "ticker").write_parquet(partition_sp));
  });
  double partition_duck_s = best_of(args, "partition duckdb", fresh(partition_duck), [&] {
    con->query_int("COPY (SELECT *, hash(ticker) % " + std::to_string(kBuckets) +
                   " AS bucket FROM read_parquet(" + file_list + ")) TO " +
                   sp::sql_string(partition_duck) + " (FORMAT parquet, PARTITION_BY (bucket))");
  });
  double filter_sp_s = best_of(args, "filter smallpond", fresh(filter_sp), [&] {
    // One partition per input file (a split of the file list: no data moves).
    report(session.read_parquet(glob)
               .repartition(static_cast<int>(files.size()))
               .filter("price > 500")
               .write_parquet(filter_sp));
  });
  double filter_duck_s = best_of(args, "filter duckdb", fresh(filter_duck), [&] {
    con->query_int("COPY (SELECT * FROM read_parquet(" + file_list + ") WHERE price > 500) TO " +
                   sp::sql_string(filter_duck) + " (FORMAT parquet)");
  });
  sp::remove_all(job_dir);  // the shuffle's intermediate files; the outputs stay for inspection

  const auto& o = session.options();
  std::printf("\nshuffle_bench: %lld rows in %zu files (%s)\n", static_cast<long long>(input_rows),
              files.size(), data_dir.c_str());
  std::printf("machine: %d cores; smallpond: %d executors x %d threads; duckdb: %d threads\n",
              cores, o.executors, o.threads_per_task, limits.threads);
  std::printf("best of %d run(s); warm-up (executor start + one read): %.2f s\n\n", args.repeat,
              warm_seconds);
  std::string groupby_case = "groupby (repartition " + std::to_string(args.partitions) + ")";
  std::string partition_case = "partition (" + std::to_string(kBuckets) + " by hash)";
  std::printf("%-26s %12s %10s %7s\n", "case", "smallpond_s", "duckdb_s", "ratio");
  std::printf("%-26s %12.3f %10.3f %7.2f\n", groupby_case.c_str(), groupby_sp_s, groupby_duck_s,
              groupby_sp_s / groupby_duck_s);
  std::printf("%-26s %12.3f %10.3f %7.2f\n", partition_case.c_str(), partition_sp_s,
              partition_duck_s, partition_sp_s / partition_duck_s);
  std::printf("%-26s %12.3f %10.3f %7.2f\n\n", "filter (price > 500)", filter_sp_s, filter_duck_s,
              filter_sp_s / filter_duck_s);

  bool ok = check_groupby(*con, groupby_sp, groupby_duck, input_rows);
  ok = check_partition(*con, partition_sp, partition_duck, input_rows) && ok;
  ok = check_filter(*con, filter_sp, filter_duck) && ok;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Executors are copies of this program: they serve tasks here and never return.
  sp::serve_if_executor();

  Args args;
  CLI::App app{"shuffle_bench: smallpond-cpp against DuckDB alone on a hash shuffle"};
  app.add_option("--rows", args.rows, "Rows of the generated prices table")
      ->default_val(args.rows)
      ->check(CLI::Range(int64_t{kFiles}, std::numeric_limits<int64_t>::max()));
  app.add_option("--data", args.data_dir, "Prices directory, generated when absent")
      ->default_str("bench/data/prices-<rows>");
  app.add_option("--work", args.work_dir, "Directory for the job directory and outputs")
      ->default_val(args.work_dir);
  app.add_option("--partitions", args.partitions, "Partitions of the groupby case")
      ->default_val(args.partitions)
      ->check(CLI::Range(1, kMaxCount));
  app.add_option("--executors", args.executors, "Executor processes (0: one per core)")
      ->default_val(args.executors)
      ->check(CLI::Range(0, kMaxCount));
  app.add_option("--repeat", args.repeat, "Runs per measurement; the best is reported")
      ->default_val(args.repeat)
      ->check(CLI::Range(1, kMaxCount));
  app.add_flag("--verbose,-v", args.verbose, "Print every run and smallpond's step reports");
  app.add_option("--shuffle-producers", args.shuffle_producers,
                 "Tasks that read and split the input of a shuffle (0: 2 x executors)");
  app.add_flag("--flush-task-outputs", args.flush_task_outputs,
               "Flush every task output to disk when its task ends (Options::flush_task_outputs)");
  CLI11_PARSE(app, argc, argv);

  try {
    sp::Options options;
    // One job directory, removed before every measured run: nothing is ever resumed.
    options.job_dir = sp::absolute_path(args.work_dir) + "/job";
    options.executors = args.executors;
    options.progress = false;
    options.flush_task_outputs = args.flush_task_outputs;
    options.shuffle_producers = args.shuffle_producers;
    sp::Session session = sp::init(options);
    return run_bench(session, args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shuffle_bench: error: %s\n", e.what());
    return 2;
  }
}
