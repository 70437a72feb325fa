#pragma once
//! The Node API: a plan built node by node, for users who want each step explicit (smallpond's
//! DataSourceNode, HashPartitionNode, SqlEngineNode, ... ; docs/node-api.md maps the names).
//!
//! Nodes and DataFrames are two views of the same plan: node.to_dataframe() gives the
//! DataFrame operations and actions, LogicalNode(df) the node of a frame. Nothing runs until run()
//! (or a DataFrame action); outputs are kept in the job directory, so a rerun resumes.

#include <cstdint>
#include <string>
#include <vector>

#include "smallpond/batch.h"
#include "smallpond/dataframe.h"
#include "smallpond/report.h"
#include "smallpond/row.h"
#include "smallpond/script.h"
#include "smallpond/session.h"

namespace smallpond {

//! One step of a plan. Cheap to copy; immutable (named() returns a renamed copy).
class LogicalNode {
 public:
  explicit LogicalNode(DataFrame frame) : frame_(std::move(frame)) {}
  //! The step name shown in progress, errors and reports.
  const std::string& name() const { return frame_.name(); }
  LogicalNode named(const std::string& name) const { return LogicalNode(frame_.named(name)); }
  //! Number of partitions (tasks) this node's output has.
  int num_partitions() const { return frame_.num_partitions(); }
  const DataFrame& to_dataframe() const { return frame_; }

 private:
  DataFrame frame_;
};

//! Where a partitioning puts its partitions (see RepartitionOptions).
struct PartitionOptions {
  //! Partition each input partition on its own, adding a dimension (3 × 5 gives 15).
  bool nested = false;
  //! The dimension this partitioning creates: {name} in SQL, consolidate(name).
  std::string dimension = "__data_partition__";
};

//! A projection changes what is read, not the data: columns (names, or SQL expressions such
//! as "price * volume AS turnover"), generated columns ("filename", "file_row_number", on
//! Parquet inputs) and matching columns by name across files.
struct ProjectionOptions {
  std::vector<std::string> columns;  //!< empty: all columns
  std::vector<std::string> generated_columns;
  bool union_by_name = false;
};

//! A streaming step (smallpond's ArrowStreamNode): the function gets the partition's rows in
//! batches; every checkpoint_seconds the output so far is saved with the number of input rows
//! consumed, and a retried attempt resumes from the last checkpoint instead of the beginning.
//! The function must therefore not depend on batches seen before (as for map_batches).
struct StreamOptions {
  int64_t batch_size = 122880;
  double checkpoint_seconds = 60;  //!< 0: after every batch
};

namespace nodes {

// Sources: one partition each (partition them for parallelism).
LogicalNode parquet_source(const Session& session, const std::vector<std::string>& paths,
                           const ParquetOptions& options = {});
LogicalNode csv_source(const Session& session, const std::vector<std::string>& paths,
                       const CsvOptions& options = {});
LogicalNode json_source(const Session& session, const std::vector<std::string>& paths,
                        const std::vector<std::pair<std::string, std::string>>& schema = {});
LogicalNode table_source(const Session& session, const Table& table);
//! Data partitioned before (see Session::read_partitioned): npartitions partitions.
LogicalNode load_partitioned(const Session& session, const std::string& path, int npartitions,
                             const std::string& column = "");

// Partitioning.
//! Files (or, by_rows, row ranges) split evenly; no data is moved.
LogicalNode evenly_distributed_partition(const LogicalNode& input, int npartitions,
                                         bool by_rows = false,
                                         const PartitionOptions& options = {});
//! Rows with equal key columns land in the same partition: hash(columns) % npartitions.
LogicalNode hash_partition(const LogicalNode& input, int npartitions,
                           const std::vector<std::string>& columns,
                           const PartitionOptions& options = {});
//! The value of a SQL expression is the partition index (smallpond's ShuffleNode "by").
LogicalNode expression_partition(const LogicalNode& input, int npartitions,
                                 const std::string& expression,
                                 const PartitionOptions& options = {});
//! A C++ function gives each row's partition index; outside [0, npartitions) fails the task.
LogicalNode user_defined_partition(const LogicalNode& input, int npartitions, PartitionFunction fn,
                                   const PartitionOptions& options = {});
//! Merges the partitions that differ only in `dimension`.
LogicalNode consolidate(const LogicalNode& input, const std::string& dimension);

// Transformations.
LogicalNode projection(const LogicalNode& input, const ProjectionOptions& options);
//! The first n rows of the whole input, as one partition.
LogicalNode limit(const LogicalNode& input, int64_t n);
//! The partitions of all inputs, one after the other.
LogicalNode union_all(const std::vector<LogicalNode>& inputs);
//! SQL once per aligned partition of the inputs ({0}, {1}, ...; see Session::partial_sql).
LogicalNode sql_engine(const std::vector<LogicalNode>& inputs, const std::string& query);
//! A C++ function over whole partitions, one batch per input (smallpond's ArrowComputeNode).
LogicalNode table_function(const std::vector<LogicalNode>& inputs, TableFunction fn);
//! A C++ function over the rows of each partition in batches, with checkpoints.
LogicalNode batch_stream(const LogicalNode& input, BatchFunction fn,
                         const StreamOptions& options = {});
//! Arbitrary C++ code per aligned partition of the inputs, writing into an output directory
//! (smallpond's PythonScriptNode); see smallpond/script.h.
LogicalNode script(const std::vector<LogicalNode>& inputs, ScriptFunction fn);

// Output.
//! Publishes the input's partitions into `path` when the job succeeds (see SinkType).
LogicalNode data_sink(const LogicalNode& input, const std::string& path,
                      SinkType type = SinkType::LinkOrCopy);

//! Runs the plan that leads to targets (all from one session); sinks among them are written.
JobReport run(const std::vector<LogicalNode>& targets);

}  // namespace nodes
}  // namespace smallpond
