// smallpond: the command-line front end.
//
//   smallpond run PIPELINE.yaml [--executors N] [--job-dir DIR] [--max-retry N] [--quiet]
//   smallpond explain PIPELINE.yaml [--executors N] [--job-dir DIR]
//   smallpond show PATH [--limit N]
//   smallpond generate prices DIR [--rows N] [--files N] [--tickers N]
//   smallpond generate gensort DIR [--records N] [--files N] [--ascii]
//   smallpond validate-sort DIR [--input DIR]

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli/inspect.h"
#include "common/suggest.h"
#include "datagen/gensort.h"
#include "datagen/prices.h"
#include "driver/job_runner.h"
#include "engine/engine.h"
#include "io/filesystem.h"
#include "pipeline/pipeline_file.h"
#include "smallpond/error.h"
#include "smallpond/session.h"

namespace sp = smallpond;

// valsort's report: the records, their checksum, duplicates, and whether they are in order
// (and, given the input, the same records). Exit status 0 only when all of it holds.
static int validate_sort_command(const std::string& dir, const std::string& input) {
  sp::SortCheck out = sp::check_sorted(dir);
  std::printf("Records: %lld\nChecksum: %s\nDuplicate keys: %lld\n",
              static_cast<long long>(out.records), out.checksum.c_str(),
              static_cast<long long>(out.duplicate_keys));
  bool ok = out.ordered && out.malformed == 0;
  if (out.malformed > 0)
    std::printf("ERROR - %lld rows are not a 10-byte key and a 90-byte payload\n",
                static_cast<long long>(out.malformed));
  if (!out.ordered) std::printf("ERROR - out of order: first at %s\n", out.first_unordered.c_str());
  if (!input.empty()) {
    sp::SortCheck in = sp::check_sorted(input, /*check_order=*/false);
    if (in.records != out.records || in.checksum != out.checksum) {
      std::printf("ERROR - the input has %lld records, checksum %s: not the same records\n",
                  static_cast<long long>(in.records), in.checksum.c_str());
      ok = false;
    }
  }
  if (ok)
    std::printf("SUCCESS - all records are in order%s\n",
                input.empty() ? "" : ", the same as the input's");
  return ok ? 0 : 1;
}

// Ctrl-C: the run stops where it is, which is safe (every publish is atomic); say how to go on.
static void on_interrupt(int) {
  const char message[] =
      "\nsmallpond: interrupted; run the same command again to resume (finished tasks are "
      "kept)\n";
  ssize_t ignored = ::write(STDERR_FILENO, message, sizeof message - 1);
  (void)ignored;
  ::_exit(130);
}

static int run_pipeline(const std::string& file, sp::Options options) {
  // Default: beside the pipeline, so that re-running the same file resumes it.
  if (options.job_dir.empty()) options.job_dir = sp::default_job_dir(file);
  sp::Session session = sp::init(options);
  ::signal(SIGINT, on_interrupt);
  sp::JobReport report = session.run_pipeline(file);
  if (report.published.empty() && options.progress) {
    std::string names;
    for (auto& t : sp::load_pipeline(file).targets)
      names += (names.empty() ? "'" : ", '") + t->name + "'";
    std::fprintf(stderr,
                 "[smallpond] the pipeline has no write_parquet step: nothing was written "
                 "outside the job directory; the results of %s are in %s/data (add a "
                 "write_parquet step to publish them, `smallpond show` to look at them)\n",
                 names.c_str(), session.options().job_dir.c_str());
  }
  return 0;
}

// What a mistyped command or option probably meant.
static std::string usage_hint(CLI::App& app, int argc, char** argv) {
  std::vector<std::string> commands;
  for (auto* sub : app.get_subcommands({})) commands.push_back(sub->get_name());
  std::string names;
  for (auto& c : commands) names += (names.empty() ? "" : ", ") + c;
  if (argc < 2) return " (commands: " + names + ")";
  std::string first = argv[1];
  CLI::App* sub = nullptr;
  for (auto* s : app.get_subcommands({}))
    if (s->get_name() == first) sub = s;
  if (!sub) {
    if (first.compare(0, 1, "-") == 0) return " (commands: " + names + ")";
    std::string guess = sp::closest_word(first, commands);
    return "\nunknown command '" + first + "' (commands: " + names + ")" +
           (guess.empty() ? "" : "; did you mean '" + guess + "'?");
  }
  std::vector<std::string> options;
  for (auto* opt : sub->get_options())
    for (auto& name : opt->get_lnames()) options.push_back("--" + name);
  for (int i = 2; i < argc; i++) {
    std::string arg = argv[i];
    if (arg.compare(0, 2, "--") != 0) continue;
    arg = arg.substr(0, arg.find('='));
    if (std::find(options.begin(), options.end(), arg) != options.end()) continue;
    std::string guess = sp::closest_word(arg, options);
    if (!guess.empty()) return "\nunknown option '" + arg + "'; did you mean '" + guess + "'?";
    return "\nunknown option '" + arg + "' (smallpond " + first + " --help lists them)";
  }
  return "\n(smallpond " + first + " --help lists the options)";
}

int main(int argc, char** argv) {
  sp::serve_if_executor();  // executors are copies of this program

  CLI::App app{"smallpond-cpp: distributed data processing with DuckDB"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "smallpond-cpp 0.1.0 (DuckDB 1.4.4)");

  sp::Options options;
  std::string pipeline_file;
  bool quiet = false;
  auto* run = app.add_subcommand("run", "Run a pipeline file");
  run->add_option("pipeline", pipeline_file, "Pipeline file (YAML)")->required();
  run->add_option("--executors,-e", options.executors,
                  "Executor processes (default: one per core)");
  run->add_option("--job-dir", options.job_dir,
                  "Job directory (default: .smallpond/<pipeline name> beside the pipeline file)");
  run->add_option("--max-retry", options.max_retry, "Retries of a failed task")->default_val(3);
  run->add_option("--max-fail", options.max_fail,
                  "Failed attempts the job tolerates (-1: no limit)")
      ->default_val(-1);
  run->add_flag("--fail-fast", options.fail_fast, "Stop at the first failed attempt");
  run->add_option("--memory-passing", options.memory_passing_bytes,
                  "Keep SQL outputs up to this many bytes in executor memory (0: off)")
      ->default_val(0);
  bool no_speculation = false, no_sandbox = false, no_optimize = false;
  run->add_flag("--no-optimize", no_optimize,
                "Run each step's query as written: no fusing of steps, nothing moved into a "
                "shuffle's producers (the same results; for finding which query fails)");
  run->add_flag("--no-sandbox", no_sandbox,
                "Let steps' SQL read and write any file (by default a step reads only its "
                "inputs and writes only its output)");
  run->add_flag("--no-speculation", no_speculation, "Never start second attempts of stragglers");
  run->add_option("--speculation-min-seconds", options.speculation_min_seconds,
                  "A straggler runs this much longer than its step's median")
      ->default_val(options.speculation_min_seconds);
  run->add_flag("--flush-task-outputs", options.flush_task_outputs,
                "Flush every task output to disk when its task ends (by default only what a "
                "sink publishes is flushed, when it is published)");
  run->add_option("--fault-inject", options.fault_probability,
                  "Testing: probability that a task attempt fails")
      ->check(CLI::Range(0.0, 1.0));
  run->add_option("--threads-per-task", options.threads_per_task,
                  "DuckDB threads per task (default: cores / executors)");
  run->add_option("--memory-per-task", options.memory_per_task,
                  "DuckDB memory limit per task in bytes; it spills past it (default: 80% of "
                  "the memory / executors)");
  run->add_option("--heartbeat-timeout", options.heartbeat_timeout,
                  "Seconds of silence after which an MPI executor rank counts as lost")
      ->default_val(options.heartbeat_timeout);
  run->add_flag("--overwrite", options.overwrite,
                "Let outputs replace what is at their paths even when smallpond did not write it");
  run->add_flag("--quiet,-q", quiet, "No progress or summary");
  run->add_option("--ray", options.ray_address,
                  "Run the executors on the Ray cluster at this address (e.g. \"$RAY_ADDRESS\"): "
                  "one actor per CPU, or --executors of them; needs the smallpond_cpp Python "
                  "package and ray (SMALLPOND_PYTHON: the interpreter)");
  run->add_option("--listen", options.listen_address,
                  "Executors on other machines: listen on HOST:PORT for --executors nodes "
                  "started with `smallpond relay HOST:PORT`");

  std::string relay_address;
  double relay_timeout = 60;
  auto* relay_cmd = app.add_subcommand(
      "relay", "Serve as an executor node of a driver run with --listen HOST:PORT");
  relay_cmd->add_option("address", relay_address, "The driver's HOST:PORT")->required();
  relay_cmd
      ->add_option("--connect-timeout", relay_timeout, "Seconds to keep trying to reach the driver")
      ->default_val(relay_timeout);

  sp::Options explain_options;
  std::string explain_file;
  auto* explain_cmd = app.add_subcommand(
      "explain",
      "Print what running a pipeline file would do: its plan and tasks, and what the "
      "job directory already holds; runs nothing");
  explain_cmd->add_option("pipeline", explain_file, "Pipeline file (YAML)")->required();
  explain_cmd->add_option("--executors,-e", explain_options.executors,
                          "Executor processes the run would have (they set the shuffles' "
                          "producers)");
  explain_cmd->add_option("--job-dir", explain_options.job_dir,
                          "Job directory (default: the one `run` would use)");

  std::string show_path, show_step;
  int64_t show_limit = 20;
  auto* show_cmd = app.add_subcommand(
      "show", "Print rows: of files (Parquet, CSV, JSON), or of a step's output in a job");
  show_cmd
      ->add_option("path", show_path,
                   "File, glob or directory; or a job directory or pipeline file with STEP")
      ->required();
  show_cmd->add_option("step", show_step, "A step of the job's latest finished run");
  show_cmd->add_option("--limit,-n", show_limit, "Rows to print")->default_val(20);

  std::string clean_path;
  bool clean_dry_run = false;
  auto* clean_cmd = app.add_subcommand(
      "clean", "Remove the task outputs a job's latest finished run does not use");
  clean_cmd->add_option("job", clean_path, "Job directory or pipeline file")->required();
  clean_cmd->add_flag("--dry-run", clean_dry_run, "Only say what would be removed");

  std::string what, gen_dir;
  sp::PricesSpec prices;
  sp::GensortSpec gensort;
  int gen_files = 0;  // 0: the data set's default
  auto* gen = app.add_subcommand("generate", "Generate sample data");
  gen->add_option("dataset", what, "Dataset to generate: prices, or gensort (GraySort records)")
      ->required()
      ->check(CLI::IsMember({"prices", "gensort"}));
  gen->add_option("dir", gen_dir, "Output directory")->required();
  gen->add_option("--files", gen_files, "Parquet files (prices: 10, gensort: 16)");
  gen->add_option("--rows", prices.rows, "prices: rows")->default_val(prices.rows);
  gen->add_option("--tickers", prices.tickers, "prices: distinct tickers")
      ->default_val(prices.tickers);
  gen->add_option("--records", gensort.records, "gensort: 100-byte records")
      ->default_val(gensort.records);
  gen->add_flag("--ascii", gensort.ascii, "gensort: printable records (gensort -a)");

  std::string sorted_dir, sorted_input;
  auto* validate_cmd = app.add_subcommand(
      "validate-sort", "Check that gensort records are sorted across a directory's files in order");
  validate_cmd->add_option("dir", sorted_dir, "The sorted output (Parquet files)")->required();
  validate_cmd->add_option("--input", sorted_input,
                           "The unsorted input: its records must be the same (count, checksum)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "smallpond: error: %s%s\n", e.what(), usage_hint(app, argc, argv).c_str());
    return 2;  // bad arguments
  }
  try {
    if (*run) {
      options.progress = !quiet;
      options.speculation = !no_speculation;
      options.optimize = !no_optimize;
      options.sandbox = !no_sandbox;
      return run_pipeline(pipeline_file, options);
    }
    if (*explain_cmd) {
      if (explain_options.job_dir.empty())
        explain_options.job_dir = sp::default_job_dir(explain_file);
      explain_options.progress = false;
      std::fputs(sp::init(explain_options).explain_pipeline(explain_file).c_str(), stdout);
      return 0;
    }
    if (*relay_cmd) {
      sp::serve_executor_node(relay_address, {}, relay_timeout);
      return 0;
    }
    if (*show_cmd) return sp::show_command(show_path, show_step, show_limit);
    if (*clean_cmd) return sp::clean_command(clean_path, clean_dry_run);
    if (*validate_cmd) return validate_sort_command(sorted_dir, sorted_input);
    if (*gen && what == "gensort") {
      if (gen_files > 0) gensort.files = gen_files;
      bool made = sp::generate_gensort(gen_dir, gensort);
      std::fprintf(stderr, "%s %lld records in %d files in %s\n", made ? "generated" : "kept",
                   static_cast<long long>(gensort.records), gensort.files, gen_dir.c_str());
      return 0;
    }
    if (*gen) {
      if (gen_files > 0) prices.files = gen_files;
      if (!sp::generate_prices(gen_dir, prices)) {
        std::fprintf(stderr, "%s holds these prices already (%lld rows in %d files); kept\n",
                     gen_dir.c_str(), static_cast<long long>(prices.rows), prices.files);
      } else {
        std::fprintf(stderr, "generated %lld rows in %d files in %s\n",
                     static_cast<long long>(prices.rows), prices.files, gen_dir.c_str());
      }
      return 0;
    }
  } catch (const sp::Error& e) {
    std::fprintf(stderr, "smallpond: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "smallpond: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
