#pragma once
//! Session: the entry point. It owns the job directory and the executor processes.
//!
//! Executors are copies of the calling program (the same binary, the same arguments), started
//! when the first action runs; in them, init() serves tasks and never returns. So call
//! smallpond::init() early in main(), before work that executors should not repeat.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "smallpond/dataframe.h"
#include "smallpond/object_store.h"
#include "smallpond/options.h"
#include "smallpond/row.h"
#include "smallpond/task_observer.h"

namespace smallpond {

//! Options for text sources. An empty schema means: detect column names and types.
struct CsvOptions {
  std::vector<std::pair<std::string, std::string>> schema;  //!< (column name, SQL type)
  std::string delimiter = ",";
  //! Whether the first line names the columns; unset: detected (DuckDB's CSV sniffer).
  std::optional<bool> header;
};

//! Options for Parquet sources.
struct ParquetOptions {
  std::vector<std::string> columns;  //!< read only these columns, in this order; empty: all
  bool union_by_name = false;        //!< files with different columns: match columns by name
  bool recursive = false;            //!< a directory means its *.parquet files at any depth
  //! Columns to add: "filename" (the file's path), "file_row_number" (the row's number in its
  //! file, right also after splitting files by rows).
  std::vector<std::string> generated_columns;
};

//! Thread safety: a Session (and its copies, which share it) and its DataFrames may be used
//! from several threads at once. Building frames, create_function, options() and
//! last_report() are safe at any time; actions (to_table, take, count, write_parquet, ...) run
//! one at a time, a second waiting for the first; shutdown() waits for the running action.
//! create_function applies to frames built after it returns. A DataFrame is immutable: every
//! operation returns a new one.
class Session {
 public:
  //! Parquet files: a path, a glob (`dir/*.parquet`) or a directory (all *.parquet inside).
  DataFrame read_parquet(const std::string& paths, const ParquetOptions& options = {}) const;
  DataFrame read_parquet(const std::vector<std::string>& paths,
                         const ParquetOptions& options = {}) const;
  DataFrame read_csv(const std::vector<std::string>& paths, const CsvOptions& options = {}) const;
  DataFrame read_json(const std::vector<std::string>& paths,
                      const std::vector<std::pair<std::string, std::string>>& schema = {}) const;

  //! Data partitioned before, read back as npartitions partitions: a file belongs to partition
  //! k when its path has a `<column>=k` directory (hive style), or, with column empty, when it
  //! is named `part-<k>-...` (as write_parquet writes). A key outside [0, n) is an error.
  DataFrame read_partitioned(const std::string& path, int npartitions,
                             const std::string& column = "") const;

  //! Rows made in this program, as a one-partition source (like smallpond's from_items): all
  //! rows have the columns of the first; types follow the values (or table.column_types). The
  //! rows are stored once, as a Parquet file in the job directory named by their content.
  DataFrame from_rows(const std::vector<Row>& rows) const;
  DataFrame from_table(const Table& table) const;
  //! An Arrow C stream of record batches (pyarrow's RecordBatchReader, a polars frame, ...)
  //! as a one-partition source, stored once as a Parquet file in the job directory named by
  //! its content. Takes the stream and releases it, also on error.
  DataFrame from_arrow(ArrowArrayStream* stream) const;

  //! Runs `query` once per partition. `{0}`, `{1}`, ... name this partition of the first,
  //! second, ... input; `{{` and `}}` are literal braces. Inputs are aligned by partition; an
  //! input with one partition is given to every task.
  DataFrame partial_sql(const std::string& query, const std::vector<DataFrame>& inputs) const;
  template <typename... Frames>
  DataFrame partial_sql(const std::string& query, const Frames&... inputs) const {
    return partial_sql(query, std::vector<DataFrame>{inputs...});
  }

  //! Makes a C++ function callable from SQL as name(args...), in the queries of frames built
  //! after this call. arg_types and return_type are SQL types ("DOUBLE", "VARCHAR", ...). The
  //! function runs in the executors: a plain function or a lambda without captures.
  void create_function(const std::string& name, ScalarFunction fn,
                       const std::vector<std::string>& arg_types, const std::string& return_type);
  //! The same with the calls in batches (see ScalarBatchFunction) and parameters: values the
  //! function needs and cannot capture. Each value is converted to return_type.
  void create_function(const std::string& name, ScalarBatchFunction fn, const Row& params,
                       const std::vector<std::string>& arg_types, const std::string& return_type);

  //! Runs a pipeline file (docs/pipeline-format.md), as `smallpond run` does: every step no
  //! other step uses, its write_parquet steps published. Relative paths resolve against the
  //! file's directory, which no output may replace.
  JobReport run_pipeline(const std::string& path) const;

  //! What run_pipeline would do (see DataFrame::explain); runs nothing.
  std::string explain_pipeline(const std::string& path) const;

  const Options& options() const;
  //! Report of the most recent action (a copy: another action may replace it meanwhile).
  JobReport last_report() const;
  //! Stops the running action, from another thread (a Ctrl-C handler, a UI): it throws
  //! ExecutionError (code Interrupted) within a fraction of a second; the attempts still
  //! running are cancelled, nothing is left half-written and what finished is kept (the same
  //! action again resumes). Without a running action it does nothing.
  void interrupt();
  //! How far the running action is (from another thread; a front end draws it its own way).
  //! After the action: the last job's final counts, running == false.
  JobProgress progress() const;
  //! Stops the executor processes (also done when the last Session copy goes away).
  void shutdown();

 private:
  friend Session init(const Options&);
  explicit Session(std::shared_ptr<SessionState> state);
  std::shared_ptr<SessionState> state_;
};

//! Starts a session. In an executor process (see above) this serves tasks and exits.
Session init(const Options& options = {});

//! An executor node for a driver on another machine (Options::listen_address): connects to
//! driver_address ("HOST:PORT", retrying for connect_timeout seconds) and serves its tasks, in
//! a local executor process started with executor_command (empty: a copy of this program),
//! until the driver says stop or is gone. `smallpond relay HOST:PORT` is this. With an
//! object_store, in-memory outputs that another node reads go through it (only a reference
//! passes through the driver). A task_observer is told of every task attempt the node runs
//! (smallpond/task_observer.h), for a cluster's own tools to show.
void serve_executor_node(const std::string& driver_address,
                         const std::vector<std::string>& executor_command = {},
                         double connect_timeout = 60, const ObjectStore* object_store = nullptr,
                         const TaskObserver* task_observer = nullptr);

//! If this process was started as an executor, serves tasks and exits; otherwise returns.
//! init() calls it; call it yourself first if main() does work before init().
void serve_if_executor();

}  // namespace smallpond
