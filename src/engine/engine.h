#pragma once
// The DuckDB engine behind an interface that does not expose DuckDB: only engine/*.cpp (and
// engine/batch_internal.h) include duckdb.hpp.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "smallpond/error.h"
#include "smallpond/row.h"
#include "smallpond/table.h"

// The Arrow C structs (smallpond/arrow_c_data.h or DuckDB's own definition, whichever a file
// includes first: they are the same specification structs).
struct ArrowSchema;
struct ArrowArray;
struct ArrowArrayStream;

namespace smallpond {

class Batch;

//! Resource limits of the tasks that run on a connection.
struct EngineLimits {
  int threads = 1;
  int64_t memory_limit = 0;  //!< bytes; 0: DuckDB's default
  //! Spill directory; empty: DuckDB's default. It belongs to the engine, not the connection:
  //! DuckDB cannot switch it once something has spilled there, so every connection of one
  //! engine must name the same directory (or none).
  std::string temp_directory;
  //! The sandbox: queries may read only the `readable` files and read or write only under the
  //! `writable` directories (DuckDB's enable_external_access = false with allowed_paths and
  //! allowed_directories), and cannot change any setting (lock_configuration). It applies to
  //! the whole engine until the next connect().
  bool sandbox = false;
  std::vector<std::string> readable;
  std::vector<std::string> writable;
};

//! A failure reported by DuckDB, with a code from DuckDB's exception type: I/O, out of memory
//! and interrupts may pass (retryable), syntax, binding, unknown tables or columns and invalid
//! input such as a corrupt file do not.
class EngineError : public Error {
 public:
  EngineError(const std::string& message, ErrorCode code) : Error(message, code) {}
};

//! Rows appended one by one into a temporary table, then written as a Parquet file.
class RowSink {
 public:
  virtual ~RowSink() = default;
  //! Values in column order; NULL, bool, integer, double and text cast to the column's type.
  virtual void append(const std::vector<Value>& row) = 0;
  //! Writes everything appended so far; returns the row count.
  virtual int64_t write_parquet(const std::string& path) = 0;
  //! Forgets the rows appended so far (after writing them).
  virtual void clear() = 0;
};

//! A batch without rows or columns: what a function gets for an input whose columns are
//! unknown (no rows, no schema).
std::unique_ptr<Batch> empty_batch();

//! Columnar rows appended as Arrow arrays into a temporary table, then written as Parquet.
class ArrowSink {
 public:
  virtual ~ArrowSink() = default;
  //! Appends a struct array (one child per column); the table takes its columns from the first
  //! schema. Takes ownership of both structs (releases them). Returns the rows appended.
  //! A null array appends nothing but still fixes the columns (an empty table).
  virtual int64_t append(ArrowSchema* schema, ArrowArray* array) = 0;
  //! Whether anything was appended (so the columns are known).
  virtual bool has_columns() const = 0;
  //! Writes everything appended so far; returns the row count.
  virtual int64_t write_parquet(const std::string& path) = 0;
};

//! What EngineConnection::write_chunk_buckets or write_parquet_buckets wrote.
struct BucketFiles {
  int64_t rows = 0;
  std::vector<std::string> files;  //!< per bucket: its file, or "" when it got no rows
  std::string schema_file;         //!< a file with the columns: a bucket's, or a file of none
};

class EngineConnection {
 public:
  virtual ~EngineConnection() = default;
  //! Runs every statement in sql, discarding results.
  virtual void execute(const std::string& sql) = 0;
  //! Runs one query and returns its whole result.
  virtual Table query(const std::string& sql) = 0;
  //! Runs a query whose result is one integer (e.g. the row count of COPY).
  virtual int64_t query_int(const std::string& sql) = 0;
  //! The statements of a script, each as its own SQL text (without the trailing ';').
  virtual std::vector<std::string> split_statements(const std::string& sql) = 0;
  //! The kind of each statement of a script, as DuckDB names it ("SELECT", "COPY", ...).
  virtual std::vector<std::string> statement_types(const std::string& sql) = 0;
  //! Whether a statement of the script may give another result when run again on the same
  //! input (engine/sql_volatility.h).
  virtual bool is_volatile(const std::string& sql) = 0;
  //! Streams a query's rows in batches of about batch_rows (the last may be smaller). Column
  //! names and types are set in every batch, even when there are no rows (one empty batch).
  virtual void scan(const std::string& sql, size_t batch_rows,
                    const std::function<void(Table&)>& on_batch) = 0;
  //! Streams a query's rows as columnar batches of exactly batch_rows rows (the last may be
  //! smaller; none when there are no rows). A batch is valid during the call only.
  virtual void scan_batches(const std::string& sql, size_t batch_rows,
                            const std::function<void(const Batch&)>& on_batch) = 0;
  //! A query's whole result as one columnar batch that owns its rows (zero rows: the columns
  //! only).
  virtual std::unique_ptr<Batch> query_batch(const std::string& sql) = 0;
  //! A query's rows as an Arrow C stream of record batches (struct arrays) of at most
  //! batch_rows rows, read as the consumer pulls them. The stream needs this connection: keep
  //! it until the stream is released.
  virtual void export_arrow_stream(const std::string& sql, size_t batch_rows,
                                   ArrowArrayStream* out) = 0;
  //! Runs a query whose last column is an INTEGER bucket in [0, n) and writes its other
  //! columns, by bucket, as chunk files under dir (an existing directory; see
  //! engine/chunk_files_internal.h): files that only later tasks read, cheaper to write and read
  //! than Parquet. SQL reads them with `__smallpond_chunks(['a.chunks', ...])`.
  virtual BucketFiles write_chunk_buckets(const std::string& sql, int n,
                                          const std::string& dir) = 0;
  //! As write_chunk_buckets, but Parquet files that anyone may read: dir/<k>.parquet, written by
  //! DuckDB's Parquet writer with `options` (a COPY option list such as "COMPRESSION zstd", or
  //! ""). Cheaper than DuckDB's COPY ... PARTITION_BY (engine/parquet_buckets_internal.h); it
  //! keeps a file open per bucket, so keep n small (kMaxParquetBuckets).
  virtual BucketFiles write_parquet_buckets(const std::string& sql, int n, const std::string& dir,
                                            const std::string& options) = 0;
  //! Runs a query whose one column `key` is a sort key (BLOB) and writes `samples` of its
  //! rows, the same whatever their order, as Parquet at path: (key BLOB, tie UBIGINT, weight
  //! BIGINT) (plan/task_params.h RangeSample). The weights add up to input_rows * weight_scale:
  //! input_rows is how many rows the query's rows stand for (-1: as many as it gives). Returns
  //! the rows written.
  virtual int64_t write_range_sample(const std::string& sql, int64_t samples, uint64_t salt,
                                     int64_t weight_scale, int64_t input_rows,
                                     const std::string& path) = 0;
  //! A sink for Arrow arrays, on a connection of its own (usable while a scan runs).
  virtual std::unique_ptr<ArrowSink> create_arrow_sink() = 0;
  //! A sink with these columns (SQL types).
  virtual std::unique_ptr<RowSink> create_sink(
      const std::vector<std::pair<std::string, std::string>>& columns) = 0;
  //! Runs a query. When its result takes at most max_bytes, keeps it in the engine as the
  //! in-memory table `name` (see Engine), sets *bytes to its size and returns true; otherwise
  //! writes it as Parquet to the path that overflow_file() returns (called only then) and
  //! returns false. Sets *rows either way.
  virtual bool query_to_memory(const std::string& name, const std::string& sql, int64_t max_bytes,
                               const std::function<std::string()>& overflow_file, int64_t* rows,
                               int64_t* bytes) = 0;
};

//! One in-memory DuckDB database. Create it in the process that uses it (not before fork()).
//! Limits are database-wide in DuckDB, so use one connection at a time per Engine.
class Engine {
 public:
  //! preserve_order: keep the order of rows that the SQL does not order. Executors turn it off
  //! (it lets DuckDB write in parallel); readers of results keep it on.
  explicit Engine(bool preserve_order = true);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  std::unique_ptr<EngineConnection> connect(const EngineLimits& limits = {});

  //! DuckDB keeps the footer of every Parquet file it reads and never drops one: an executor
  //! of a job over a million files would hold gigabytes of them. Tell it the files a task read;
  //! the footers of the `keep` most recently read stay cached (a file read again soon, as row
  //! ranges or by a sample then a partition, is parsed once), older ones are dropped.
  void forget_old_footers(const std::vector<std::string>& files_read, size_t keep = 4096);
  //! Whether a Parquet file's footer is cached now (for tests).
  bool caches_footer_of(const std::string& path) const;

  //! Registers a scalar function for every connection of this engine; again with the same
  //! name replaces it. fn gets the argument values of one row and returns the result.
  using ScalarFn = Value (*)(const std::vector<Value>&);
  //! A function of batches of calls (smallpond/batch.h ScalarBatchFunction) with parameters.
  using ScalarBatchFn = std::vector<Value> (*)(const Batch&, const Row&);
  void register_scalar_batch_function(const std::string& name,
                                      const std::vector<std::string>& arg_types,
                                      const std::string& return_type, ScalarBatchFn fn,
                                      const Row& params);
  void register_scalar_function(const std::string& name, const std::vector<std::string>& arg_types,
                                const std::string& return_type, ScalarFn fn);

  //! A range partition's boundary: a sort key (bytes) and a tie
  //! (engine/range_partition_internal.h).
  struct RangeBoundary {
    std::string key;
    uint64_t tie = 0;
  };
  //! Registers `name(key BLOB, row) -> INTEGER` for every connection: how many of `boundaries`
  //! are <= (key, the row's tie), keys compared bytewise (the range of a row; see plan
  //! RangeProduce). Again with the same name replaces it.
  void register_range_function(const std::string& name, std::vector<RangeBoundary> boundaries);

  //! Names that this engine's SQL reads as relations: each the given query, bound where the
  //! name is read (like a view, without creating one). Catalog entries of the same name come
  //! first. Replaces the previous names; an empty map clears them.
  void set_input_relations(std::map<std::string, std::string> relations);

  //! In-memory tables: query results kept by name outside DuckDB's catalog (small task outputs
  //! of an executor). SQL reads them with `__smallpond_memory(['a', 'b', ...])`: the named
  //! tables one after another as one relation (columns named as in the first).
  bool has_memory_table(const std::string& name) const;
  //! False when there was none of that name.
  bool drop_memory_table(const std::string& name);
  //! The table as bytes (DuckDB's binary serialisation), for another engine's
  //! import_memory_table. Throws when absent.
  std::string export_memory_table(const std::string& name) const;
  void import_memory_table(const std::string& name, const std::string& bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace smallpond
