#pragma once
//! DataFrame: a lazily evaluated, partitioned dataset. Transformations build a plan; actions
//! (count, take, to_table, write_parquet) run it on the session's executors.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "smallpond/batch.h"
#include "smallpond/report.h"
#include "smallpond/row.h"
#include "smallpond/table.h"

namespace smallpond {

class Session;
struct SessionState;
struct Node;

//! How repartition() distributes rows. At most one of hash_by, by and by_rows.
struct RepartitionOptions {
  //! Rows with equal values in these columns land in the same partition: hash(cols) % n.
  std::vector<std::string> hash_by;
  //! A SQL expression whose value is the partition index, e.g. "item % 10". A value outside
  //! [0, n) fails the task: "partition key 10 is out of range 0-9".
  std::string by;
  //! Without hash_by or by: split rows evenly (contiguous row ranges) instead of files.
  bool by_rows = false;
  //! Partition each existing partition on its own, in a new dimension: 3 partitions
  //! repartitioned nested into 5 give 15 (3 × 5). Otherwise all rows are redistributed.
  bool nested = false;
  //! Name of the partition dimension this creates (usable as {name} in SQL, and by
  //! consolidate()). Nested partitions need a name of their own.
  std::string dimension = "__data_partition__";
};

//! How a sink (write_parquet, nodes::data_sink) puts the files into its directory. Every
//! sink also writes .MANIFEST.txt there: the absolute paths of its data files, one per line.
enum class SinkType {
  LinkOrCopy,  //!< hard links where possible, else copies (the default)
  Copy,        //!< copies, independent of the job directory
  Link,        //!< hard links, or symbolic links where hard links cannot be made
  Manifest,    //!< only .MANIFEST.txt, naming the files where they are (in the job directory)
};

class DataFrame {
 public:
  //! Redistributes the rows into npartitions partitions. With hash_by columns, rows whose key
  //! columns are equal land in the same partition (hash(cols) % npartitions); without, the input
  //! files are split evenly (by_rows: rows are split evenly instead, as contiguous slices).
  DataFrame repartition(int npartitions, const std::string& hash_by = "") const;
  DataFrame repartition(int npartitions, const std::vector<std::string>& hash_by) const;
  //! `repartition(n, {"a", "b"})`: a braced list of key columns (preferred over the other
  //! overloads, which could also be built from two string literals).
  DataFrame repartition(int npartitions, std::initializer_list<std::string> hash_by) const {
    return repartition(npartitions, std::vector<std::string>(hash_by));
  }
  DataFrame repartition_by_rows(int npartitions) const;
  DataFrame repartition(int npartitions, const RepartitionOptions& options) const;
  //! Rows in random order, spread at random over npartitions partitions (0: as many as
  //! there are executors).
  DataFrame random_shuffle(int npartitions = 0) const;

  //! Rows for which the SQL condition holds: SELECT * FROM {0} WHERE (condition).
  DataFrame filter(const std::string& condition) const;
  //! SQL select-list over each row: SELECT <expressions> FROM {0}, e.g. "a + b AS c, d".
  DataFrame map(const std::string& expressions) const;
  //! C++ functions over each row (see smallpond/row.h for what they may be). Output columns
  //! of map/flat_map come from the returned rows: names in the first row's order, types from
  //! the values (BOOLEAN, BIGINT, DOUBLE, VARCHAR).
  DataFrame filter(FilterFunction keep) const;
  DataFrame map(MapFunction fn) const;
  DataFrame flat_map(FlatMapFunction fn) const;
  //! With parameters (see smallpond/row.h): fn(row, params) in every call.
  DataFrame filter(FilterWithParams keep, const Row& params) const;
  DataFrame map(MapWithParams fn, const Row& params) const;
  DataFrame flat_map(FlatMapWithParams fn, const Row& params) const;
  //! A lambda that captures variables cannot run in the executors (other processes): this
  //! overload only turns that mistake into a clear compile error.
  template <class F, class = std::enable_if_t<!std::is_convertible_v<F, MapFunction> &&
                                              !std::is_convertible_v<F, std::string> &&
                                              std::is_invocable_v<F, const Row&>>>
  DataFrame map(F) const {
    static_assert(sizeof(F) == 0,
                  "map(fn): fn must be a plain function or a lambda without captures (it runs "
                  "in other processes); pass values as parameters: map(fn, params) with "
                  "fn(const Row& row, const Row& params)");
    return *this;
  }
  template <class F, class = std::enable_if_t<!std::is_convertible_v<F, FilterFunction> &&
                                              !std::is_convertible_v<F, std::string> &&
                                              std::is_invocable_v<F, const Row&>>>
  DataFrame filter(F) const {
    static_assert(sizeof(F) == 0,
                  "filter(fn): fn must be a plain function or a lambda without captures (it "
                  "runs in other processes); pass values as parameters: filter(fn, params) with "
                  "fn(const Row& row, const Row& params)");
    return *this;
  }
  template <class F, class = std::enable_if_t<!std::is_convertible_v<F, FlatMapFunction> &&
                                              std::is_invocable_v<F, const Row&>>>
  DataFrame flat_map(F) const {
    static_assert(sizeof(F) == 0,
                  "flat_map(fn): fn must be a plain function or a lambda without captures (it "
                  "runs in other processes); pass values as parameters: flat_map(fn, params) "
                  "with fn(const Row& row, const Row& params)");
    return *this;
  }
  //! fn over columnar batches of batch_size rows (the last of a partition may be smaller);
  //! batches span the partition's files. See smallpond/batch.h.
  DataFrame map_batches(BatchFunction fn, int64_t batch_size = 122880) const;
  //! The same with columnar output through Arrow (see ArrowBatchFunction): the fast path.
  DataFrame map_batches(ArrowBatchFunction fn, int64_t batch_size = 122880) const;
  DataFrame map_batches(ArrowBatchWithParams fn, const Row& params,
                        int64_t batch_size = 122880) const;
  //! Each partition sorted: SELECT * FROM {0} ORDER BY <by>.
  DataFrame partial_sort(const std::string& by) const;
  //! All rows sorted by `by` (a SQL ORDER BY list: columns or expressions, ASC/DESC, NULLS
  //! FIRST/LAST) into npartitions partitions (0: one per executor), partition i before i + 1:
  //! the input is sampled, cut into ranges of about equal size (ties spread by a row hash) and
  //! each range is sorted. Read in partition order, the rows are in order.
  DataFrame sort(const std::string& by, int npartitions = 0) const;
  //! The first n rows of the whole frame (not per partition), as one partition.
  DataFrame limit(int64_t n) const;
  //! Rows equal on `columns` (all columns when empty) kept once, in npartitions partitions
  //! (0: one per executor): rows are hash partitioned by those columns, and of each key the
  //! first row in the order of all columns is kept (the same row however the data was split).
  DataFrame drop_duplicates(const std::vector<std::string>& columns = {},
                            int npartitions = 0) const;
  //! Merges the partitions that differ only in `dimension` (the nested 3 × 5 back to 3).
  DataFrame consolidate(const std::string& dimension) const;
  //! This frame's partitions followed by those of the others.
  DataFrame union_all(const std::vector<DataFrame>& others) const;

  //! Runs the plan and writes every partition's rows as Parquet files into directory `path`.
  //! The directory appears (replacing an older one) only once the whole job succeeded.
  JobReport write_parquet(const std::string& path, SinkType type = SinkType::LinkOrCopy) const;
  //! Runs the plan and returns all rows, partition after partition.
  Table to_table() const;
  Table take_all() const { return to_table(); }
  //! Runs the plan and returns the first n rows.
  Table take(int64_t n) const;
  //! Runs the plan and fills `out` with its rows as an Arrow C stream of record batches, the
  //! partitions in order, converted as the consumer pulls them (pyarrow, polars and others
  //! import it without a copy). The caller releases the stream; it keeps the session alive.
  void to_arrow(ArrowArrayStream* out) const;
  //! Runs the plan and returns the number of rows.
  int64_t count() const;
  //! Number of partitions this frame has when run.
  //! What running this frame would do, like DuckDB's EXPLAIN: the logical plan after
  //! optimisation (fused steps named), then each step's tasks (kinds, counts) and how many
  //! the job directory already holds (reused, not run). Lists the sources' files; runs nothing.
  std::string explain() const;
  int num_partitions() const;

  //! The step name shown in progress, errors and the job directory.
  const std::string& name() const;
  //! Renames this step (names must be unique; letters, digits and '_').
  DataFrame named(const std::string& name) const;
  //! This step computed afresh the next time the returned frame runs, even when the job
  //! directory holds its output (for sources that changed in ways file stamps do not show, or
  //! random results); the steps after it follow. Later actions on the same frame reuse it.
  DataFrame recompute() const;

 private:
  friend class Session;
  friend struct SessionState;
  friend struct NodeFactory;
  DataFrame row_function(const char* kind, const void* fn, const Row* params = nullptr) const;
  DataFrame(std::shared_ptr<SessionState> session, std::shared_ptr<const Node> node);
  std::shared_ptr<SessionState> session_;
  std::shared_ptr<const Node> node_;
};

}  // namespace smallpond
