#pragma once
//! Settings of a smallpond session.

#include <cstdint>
#include <string>
#include <vector>

namespace smallpond {

struct Options {
  //! Directory that holds the job's state: task outputs, manifests, staging, temp/spill, logs.
  //! Re-running with the same directory skips tasks that already finished. Default:
  //! ".smallpond/<job_name>" under the current directory.
  std::string job_dir;
  //! Name of the job; used for the default job directory. Default: the program's name.
  std::string job_name;
  //! The command line of each local executor process: an absolute program path and its
  //! arguments. Empty (the default): a copy of this program, the same binary and arguments,
  //! in which init() serves tasks. A front end whose program is an interpreter names a module
  //! that only serves tasks instead (the Python package: `python -m smallpond_cpp._executor`).
  std::vector<std::string> executor_command;
  //! Executors on other machines: the driver listens on this address ("HOST:PORT") and waits
  //! for `executors` executor nodes to connect (serve_executor_node, `smallpond relay
  //! HOST:PORT`), instead of starting local processes. Empty (the default): local processes.
  std::string listen_address;
  //! Executors on a Ray cluster at this address: Ray actors (one CPU each), `executors` of
  //! them (0: one per CPU of the cluster), started through the Python package smallpond_cpp
  //! (`python -m smallpond_cpp._ray_launcher`; SMALLPOND_PYTHON names the interpreter) and
  //! connected back as executor nodes over TCP. Empty (the default): not on Ray.
  std::string ray_address;
  //! How long the driver waits for the executor nodes to connect.
  double executor_connect_timeout = 60;
  //! Number of executor processes. 0 means one per CPU core. Under mpirun/srun the executors
  //! are the MPI ranks other than rank 0, and this is ignored.
  int executors = 0;
  //! DuckDB threads per task. 0 means cores / executors (at least 1).
  int threads_per_task = 0;
  //! DuckDB memory limit per task in bytes. 0 means 80% of the memory / executors, where the
  //! memory is the smaller of the physical memory and the cgroup limit (container, Slurm).
  int64_t memory_per_task = 0;
  //! How often a failed task is retried before the job fails. Errors that cannot go away on
  //! retry (bad SQL, a corrupt file) are not retried.
  int max_retry = 3;
  //! How many failed attempts the whole job tolerates before it stops; -1: no limit beyond
  //! max_retry per task.
  int max_fail = -1;
  //! Stop at the first failed attempt (no retries).
  bool fail_fast = false;
  //! In-memory passing: a SQL step's output of at most this many bytes (as kept: DuckDB's
  //! serialised data chunks) stays in the executor that made it and goes to its consumers
  //! without files (a consumer on another executor gets it through the scheduler, in one
  //! message per owner). Outputs read by write_parquet or returned to the program are always
  //! files. 0 (the default) turns it off. It saves the cost of writing and publishing each
  //! small intermediate file: jobs of many small intermediates took 1.10-1.28 times as long with
  //! files on a 2-core machine with a local disk (bench/README.md); a shared file system makes
  //! each file cost more.
  int64_t memory_passing_bytes = 0;
  //! Start a second attempt of a straggler: a task running longer than
  //! max(2 × median, median + speculation_min_seconds) of its step's finished tasks.
  bool speculation = true;
  double speculation_min_seconds = 30;
  //! Fault injection for testing: each task attempt fails with this probability (0..1).
  double fault_probability = 0;
  //! Seconds without a heartbeat after which an executor (process or MPI rank) counts as lost:
  //! it is killed where possible and its task runs elsewhere.
  double heartbeat_timeout = 10;
  //! Show progress and a per-step summary on stderr.
  bool progress = true;
  //! Fuse chains of SQL steps (filter, map, partial_sql, ...) so that intermediate results are
  //! not written. A fused chain reports under the name of its last step.
  bool optimize = true;
  //! Let write_parquet replace what is at its path even when smallpond did not write it (a
  //! file, a directory of other files). Without it such a path is refused before the job
  //! runs. A path that holds an input, the job directory or the current directory is refused
  //! either way.
  bool overwrite = false;
  //! Run each step's SQL in a sandbox: it may read only its input files and write only its
  //! own staging directory (no other files, no ATTACH, no COPY of its own, no settings
  //! changed). Off by default in the C++ API (a program's SQL is its author's); on by default
  //! for `smallpond run` (a pipeline file may come from anyone; --no-sandbox turns it off).
  bool sandbox = false;
  //! Flush each task's output to disk (every file, then the directories) when the task ends.
  //! Off by default: what a sink publishes is flushed when it is published, and a task output
  //! that did not reach the disk before a power loss fails its manifest's check (sizes and
  //! Parquet footers) on the next run and is computed again. On, a power loss right after a
  //! task ends cannot undo that task (each task pays about a millisecond per file for it).
  bool flush_task_outputs = false;
  //! Number of tasks a hash partition uses to read and split its input. 0 means 2 × executors.
  int shuffle_producers = 0;
};

}  // namespace smallpond
