// bucket_writers_bench: the ways a producer task can write its rows into n buckets, in one
// DuckDB, on the same rows, in one run (what a shuffle's producer does, without the scheduler):
//
//   partition_by:    COPY (SELECT *, hash(key) % n AS b ...) TO dir (FORMAT parquet, PARTITION_BY
//   (b)) parquet_buckets: the same query, COPY ... (FORMAT __smallpond_parquet_buckets, BUCKETS n)
//                    (engine/parquet_buckets_internal.h: what published shuffle buckets use)
//   chunk_buckets:   the same query into chunk files (what buckets only later tasks read use)
//   one_file:        COPY (SELECT * ...) TO file (FORMAT parquet): no buckets at all
//
// Checks that partition_by and parquet_buckets put the same rows in every bucket (count and a
// sum of row hashes per bucket). Prints each way's best time and its ratio to partition_by.
//
// usage: bucket_writers_bench --input 'GLOB' --key COL [--buckets 16] [--threads 1]
//                             [--work DIR] [--repeat 3]
// Exits 1 when the buckets differ, 2 on errors.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>
#include <limits>
#include <string>

#include "common/strings.h"
#include "common/system.h"
#include "engine/engine.h"
#include "io/filesystem.h"
#include "smallpond/error.h"

namespace sp = smallpond;

namespace {

struct Args {
  std::string input;
  std::string key;
  int buckets = 16;
  int threads = 1;
  std::string work_dir = "bench/work/bucket-writers";
  int repeat = 3;
};

int run_bench(const Args& args) {
  const std::string work = sp::absolute_path(args.work_dir);
  sp::Engine engine(/*preserve_order=*/false);  // as executors run
  sp::EngineLimits limits;
  limits.threads = args.threads;
  auto con = engine.connect(limits);
  const std::string n = std::to_string(args.buckets);
  const std::string rows = "SELECT * FROM read_parquet(" + sp::sql_string(args.input) + ")";
  const std::string bucketed =
      "SELECT *, (hash(" + args.key + ") % " + n + ")::INTEGER AS b FROM (" + rows + ")";
  int64_t input_rows = con->query_int("SELECT count(*) FROM (" + rows + ")");  // also warms up
  std::printf(
      "bucket_writers_bench: %lld rows (%s) into %d buckets by %s, %d thread(s), best of %d\n\n",
      static_cast<long long>(input_rows), args.input.c_str(), args.buckets, args.key.c_str(),
      args.threads, args.repeat);

  auto best = [&](const std::string& dir, const std::function<void()>& write) {
    double best_s = std::numeric_limits<double>::infinity();
    for (int r = 0; r < args.repeat; r++) {
      sp::remove_all(dir);
      sp::make_dirs(dir);
      double start = sp::monotonic_seconds();
      write();
      best_s = std::min(best_s, sp::monotonic_seconds() - start);
    }
    return best_s;
  };
  const std::string by_duckdb = work + "/partition_by", ours = work + "/parquet_buckets";
  double partition_by = best(by_duckdb, [&] {
    con->query_int("COPY (" + bucketed + ") TO " + sp::sql_string(by_duckdb) +
                   " (FORMAT parquet, PARTITION_BY (b), OVERWRITE_OR_IGNORE)");
  });
  double parquet_buckets =
      best(ours, [&] { con->write_parquet_buckets(bucketed, args.buckets, ours, ""); });
  double chunk_buckets = best(work + "/chunk_buckets", [&] {
    con->write_chunk_buckets(bucketed, args.buckets, work + "/chunk_buckets");
  });
  double one_file = best(work + "/one_file", [&] {
    con->query_int("COPY (" + rows + ") TO " + sp::sql_string(work + "/one_file/all.parquet") +
                   " (FORMAT parquet)");
  });

  std::printf("%-16s %9s %16s\n", "way", "seconds", "vs partition_by");
  for (auto [name, s] : {std::pair<const char*, double>{"partition_by", partition_by},
                         {"parquet_buckets", parquet_buckets},
                         {"chunk_buckets", chunk_buckets},
                         {"one_file", one_file}})
    std::printf("%-16s %9.3f %16.2f\n", name, s, s / partition_by);

  // The same rows in every bucket: per bucket, the count and a sum of row hashes.
  auto per_bucket = [&](const std::string& source) {
    return con
        ->query(
            "SELECT b::INTEGER AS b, count(*), sum(hash(COLUMNS(* EXCLUDE (b))))::HUGEINT"
            " FROM (" +
            source + ") GROUP BY ALL ORDER BY b")
        .rows;
  };
  auto theirs =
      per_bucket("SELECT * FROM read_parquet(" + sp::sql_string(by_duckdb + "/**/*.parquet") +
                 ", hive_partitioning = true)");
  auto mine = per_bucket(
      "SELECT * EXCLUDE (filename), regexp_extract(filename, '/([0-9]+)\\.parquet$', 1) AS b "
      "FROM read_parquet(" +
      sp::sql_string(ours + "/*.parquet") + ", filename = true)");
  bool same = theirs == mine;
  std::printf("\ncheck: %s (%zu buckets with rows on each side)\n",
              same ? "ok, the same rows in every bucket" : "MISMATCH", theirs.size());
  return same ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bucket_writers_bench: writing a producer's buckets, four ways"};
  Args args;
  app.add_option("--input", args.input, "Parquet files (a glob)")->required();
  app.add_option("--key", args.key, "Column whose hash picks the bucket")->required();
  app.add_option("--buckets", args.buckets, "Buckets")->check(CLI::Range(1, 100));
  app.add_option("--threads", args.threads, "DuckDB threads")->check(CLI::Range(1, 1024));
  app.add_option("--work", args.work_dir, "Directory for the outputs");
  app.add_option("--repeat", args.repeat, "Runs per way; the best is reported")
      ->check(CLI::Range(1, 1000));
  CLI11_PARSE(app, argc, argv);
  try {
    return run_bench(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bucket_writers_bench: %s\n", e.what());
    return 2;
  }
}
