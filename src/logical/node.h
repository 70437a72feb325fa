#pragma once
// Logical plan nodes. A node describes one step of a pipeline; nodes are immutable and shared
// (a DataFrame is a handle to one). The planner turns nodes into partition tasks.

#include <memory>
#include <string>
#include <vector>

#include "common/json.h"
#include "dataset/dataset.h"

namespace smallpond {

enum class NodeKind {
  DataSource,     //!< files on disk: one partition
  EvenPartition,  //!< split the input into n partitions by files or rows (no data is moved)
  HashPartition,  //!< redistribute rows by hash(columns) % n, or by an expression's value
  SqlEngine,      //!< run SQL once per (aligned) partition of the inputs
  RowFunction,    //!< run a C++ function (filter, map, flat_map, map_batches, stream) over each
                  //!< partition
  Compute,        //!< run a C++ function (table, script) once per (aligned) partition of the inputs
  Projection,     //!< change what is read (columns, generated columns, union by name)
  Limit,          //!< the first n rows of the whole input (one partition)
  Union,          //!< the partitions of all inputs, one after the other
  Consolidate,    //!< merge the partitions that differ only in one partition dimension
  DataSink,       //!< write the input's partitions to an output directory when the job succeeds
};
const char* node_kind_name(NodeKind kind);

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Node {
  int id = 0;
  NodeKind kind = NodeKind::DataSource;
  std::string name;  //!< step name: unique in a plan, [A-Za-z0-9_]+
  std::vector<NodePtr> inputs;

  // DataSource: the patterns (paths, globs, directories) and reading options; the files are
  // found when the plan is made. Patterns are absolute.
  std::vector<std::string> patterns;
  DataSet source_options;
  bool recursive = false;  //!< a directory pattern includes subdirectories
  //! Load already-partitioned data into npartitions partitions (in `dimension`): the partition
  //! of a file is k from a `<partition_column>=k` directory in its path, or, without a column,
  //! from a `part-<k>-...` file name (what write_parquet writes).
  bool load_partitioned = false;
  std::string partition_column;

  // EvenPartition / HashPartition
  int npartitions = 1;
  std::vector<std::string> hash_columns;
  std::string partition_by;  //!< HashPartition: SQL expression giving the partition index
                             //!< (or, with `function` set, a C++ function does)
  bool by_rows = false;
  //! Nested: partition each input partition on its own (3 × 5 gives 15), adding a dimension.
  bool nested = false;
  //! The partition dimension this node creates (partition nodes) or removes (Consolidate).
  std::string dimension = "__data_partition__";

  // Limit
  int64_t limit = 0;

  // SqlEngine
  std::string sql;
  Json udfs = Json::array();  //!< C++ scalar functions the query may call: [{name, args, returns,
                              //!< function}]

  // RowFunction: "filter" | "map" | "flat_map" | "map_batches" | "stream"; Compute: "table" |
  // "script"; HashPartition: "partition". And where the function is (common/code_location.h).
  std::string function_kind;
  Json function;
  Json function_params;  //!< RowFunction: the parameters given to every call (engine/row_json), or
                         //!< null
  int64_t batch_size = 0;         //!< map_batches, stream
  double checkpoint_seconds = 0;  //!< stream

  // Projection: columns (names or SQL expressions), generated columns, union by name
  std::vector<std::string> columns;
  std::vector<std::string> generated_columns;
  bool union_by_name = false;

  // DataSink: absolute output directory, and "link_or_copy" | "copy" | "link" | "manifest"
  std::string path;
  std::string sink_type = "link_or_copy";
  //! Replace whatever is at path, even what smallpond did not write (driver/output_guard.h).
  bool overwrite = false;

  //! Set by recompute(): makes the node's definition (and so its tasks' keys) new.
  std::string recompute_nonce;
  //! Set by the optimizer: the steps fused into this one, inputs first (for explain; names are
  //! not part of the definition).
  std::vector<std::string> fused;

  //! What determines this node's output besides its inputs (kind, SQL, partitioning, ...),
  //! for task keys. The name is not part of it: renaming a step does not recompute it.
  Json definition() const;
};

//! Throws InvalidInputError unless name is a valid step name.
void check_step_name(const std::string& name);

//! The nodes reachable from targets, inputs before their consumers, each once.
std::vector<NodePtr> topological_order(const std::vector<NodePtr>& targets);

}  // namespace smallpond
