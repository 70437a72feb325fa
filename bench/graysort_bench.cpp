// graysort_bench: the sort benchmark's GraySort in small, smallpond-cpp against DuckDB alone, on
// the same gensort records (datagen/gensort.h), in one run:
//
//   sort:      read_parquet -> sort("key", P): sampled range boundaries, a range partition
//              into P partitions, each sorted -> Parquet
//   by_byte:   read_parquet -> range partition by the first key byte (hand-made ranges, as
//              smallpond users write them) -> partial_sort -> Parquet
//   duckdb:    one COPY (SELECT * ... ORDER BY key) TO file
//
// Both outputs are validated as valsort does (every record in order across the files in
// sequence, the same record count and checksum as the input). Prints the time to generate, each
// side's sort time and its GiB/s per node (100-byte records), and the ratios to DuckDB.
//
// usage: graysort_bench [--records N] [--files F] [--partitions P] [--data DIR] [--work DIR]
//                       [--executors N] [--repeat N]
// Exits 1 when a sorted output fails validation, 2 on errors.

#include <smallpond/smallpond.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>

#include "common/strings.h"
#include "common/system.h"
#include "datagen/gensort.h"
#include "engine/engine.h"
#include "io/filesystem.h"

namespace sp = smallpond;

namespace {

struct Args {
  int64_t records = 10'000'000;
  int files = 16;
  int partitions = 16;
  std::string data_dir;  // default: bench/data/gensort-<records>
  std::string work_dir = "bench/work";
  int executors = 0;
  int repeat = 1;
  bool flush_task_outputs = false;
};

bool valid(const std::string& side, const std::string& dir, const sp::SortCheck& input) {
  sp::SortCheck out = sp::check_sorted(dir);
  bool ok = out.ordered && out.malformed == 0 && out.records == input.records &&
            out.checksum == input.checksum;
  std::printf("validate %-9s %lld records, checksum %s, %lld duplicate keys: %s%s\n", side.c_str(),
              static_cast<long long>(out.records), out.checksum.c_str(),
              static_cast<long long>(out.duplicate_keys), ok ? "SUCCESS" : "ERROR",
              out.ordered ? "" : (" (out of order at " + out.first_unordered + ")").c_str());
  return ok;
}

int run_bench(const Args& args) {
  std::string data =
      args.data_dir.empty() ? "bench/data/gensort-" + std::to_string(args.records) : args.data_dir;
  double gen_start = sp::monotonic_seconds();
  sp::GensortSpec spec;
  spec.records = args.records;
  spec.files = args.files;
  bool generated = sp::generate_gensort(data, spec);
  double gen_seconds = sp::monotonic_seconds() - gen_start;
  sp::SortCheck input = sp::check_sorted(data, /*check_order=*/false);

  std::string work = args.work_dir + "/graysort";
  std::string sort_out = work + "/sort", byte_out = work + "/by_byte", duck_out = work + "/duckdb";
  sp::Options options;
  options.job_dir = work + "/job";
  options.progress = false;
  options.flush_task_outputs = args.flush_task_outputs;
  if (args.executors > 0) options.executors = args.executors;
  sp::Session session = sp::init(options);
  // The first key byte's range: partition k holds keys whose first byte b has b * P / 256 = k.
  sp::RepartitionOptions ranges;
  ranges.by =
      "('0x' || left(hex(key), 2))::INTEGER * " + std::to_string(args.partitions) + " // 256";

  sp::Engine engine(/*preserve_order=*/false);  // as the executors
  sp::EngineLimits limits;
  limits.threads = sp::cpu_count();
  limits.temp_directory = work + "/duckdb_tmp";
  auto con = engine.connect(limits);

  const double inf = std::numeric_limits<double>::infinity();
  double sort_best = inf, byte_best = inf, duck_best = inf;
  std::string balance = "-";
  for (int i = 0; i < args.repeat; i++) {
    sp::remove_all(work);
    double start = sp::monotonic_seconds();
    sp::JobReport report =
        session.read_parquet(data).sort("key", args.partitions).write_parquet(sort_out);
    sort_best = std::min(sort_best, sp::monotonic_seconds() - start);
    for (auto& step : report.steps)
      if (step.largest_task_rows > 0 && step.smallest_task_rows > 0 &&
          step.step.rfind("sort_", 0) == 0)
        balance = std::to_string(double(step.largest_task_rows) / double(step.smallest_task_rows));
    start = sp::monotonic_seconds();
    session.read_parquet(data)
        .repartition(args.partitions, ranges)
        .partial_sort("key")
        .write_parquet(byte_out);
    byte_best = std::min(byte_best, sp::monotonic_seconds() - start);
    sp::make_dirs(duck_out);
    start = sp::monotonic_seconds();
    con->query_int("COPY (SELECT * FROM read_parquet(" + sp::sql_string(data + "/*.parquet") +
                   ") ORDER BY key) TO " + sp::sql_string(duck_out + "/sorted.parquet") +
                   " (FORMAT parquet)");
    duck_best = std::min(duck_best, sp::monotonic_seconds() - start);
  }
  double gib = static_cast<double>(args.records) * 100 / (1024.0 * 1024 * 1024);
  std::printf("\ngraysort_bench: %lld records (%.2f GiB as 100-byte records) in %d files (%s)\n",
              static_cast<long long>(args.records), gib, args.files, data.c_str());
  std::printf("generate: %s\n", generated ? (std::to_string(gen_seconds) + " s").c_str()
                                          : "kept from an earlier run");
  std::printf("machine: %d cores; smallpond: %d executors, %d range partitions; best of %d\n\n",
              sp::cpu_count(), session.options().executors, args.partitions, args.repeat);
  std::printf("%-10s %10s %12s %8s\n", "side", "sort_s", "GiB/s/node", "/duckdb");
  std::printf("%-10s %10.3f %12.3f %8.2f\n", "sort", sort_best, gib / sort_best,
              sort_best / duck_best);
  std::printf("%-10s %10.3f %12.3f %8.2f\n", "by_byte", byte_best, gib / byte_best,
              byte_best / duck_best);
  std::printf("%-10s %10.3f %12.3f %8.2f\n", "duckdb", duck_best, gib / duck_best, 1.0);
  std::printf("sort: largest / smallest partition %s\n\n", balance.c_str());
  bool ok = valid("sort", sort_out, input);
  ok = valid("by_byte", byte_out, input) && ok;
  ok = valid("duckdb", duck_out, input) && ok;
  sp::remove_all(work + "/job");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Executors are copies of this program: they serve tasks here and never return.
  sp::serve_if_executor();
  CLI::App app{"GraySort in small: smallpond-cpp against DuckDB's ORDER BY"};
  Args args;
  app.add_option("--records", args.records, "Records of 100 bytes")
      ->check(CLI::Range(1LL, 1LL << 40));
  app.add_option("--files", args.files, "Input files")->check(CLI::Range(1, 100000));
  app.add_option("--partitions", args.partitions, "Range partitions (at most 256)")
      ->check(CLI::Range(1, 256));
  app.add_option("--data", args.data_dir, "Input directory (generated when missing)");
  app.add_option("--work", args.work_dir, "Work directory");
  app.add_option("--executors", args.executors, "Executors (default: one per core)");
  app.add_flag("--flush-task-outputs", args.flush_task_outputs,
               "Flush every task output to disk when its task ends (Options::flush_task_outputs)");
  app.add_option("--repeat", args.repeat, "Runs of each side; the best counts")
      ->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);
  try {
    return run_bench(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "graysort_bench: %s\n", e.what());
    return 2;
  }
}
