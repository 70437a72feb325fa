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
  DataSource,      //!< files on disk: one partition
  EvenPartition,   //!< split the input into n partitions by files or rows (no data is moved)
  HashPartition,   //!< redistribute rows by hash(columns) % n, or by an expression's value
  RangePartition,  //!< redistribute rows into n ranges of a sort order (boundaries from a sample)
  SqlEngine,       //!< run SQL once per (aligned) partition of the inputs
  RowFunction,     //!< run a C++ function (filter, map, flat_map, map_batches, stream) over each
                   //!< partition
  Compute,      //!< run a C++ function (table, script) once per (aligned) partition of the inputs
  Projection,   //!< change what is read (columns, generated columns, union by name)
  Limit,        //!< the first n rows of the whole input (one partition)
  Union,        //!< the partitions of all inputs, one after the other
  Consolidate,  //!< merge the partitions that differ only in one partition dimension
  DataSink,     //!< write the input's partitions to an output directory when the job succeeds
};
const char* node_kind_name(NodeKind kind);
//! The kind of a name from node_kind_name; InvalidInputError for an unknown name.
NodeKind node_kind_from_name(const std::string& name);

struct Node;
using NodePtr = std::shared_ptr<const Node>;

// A node's parameters, each declared once here: the list makes the members (below), the
// serialisation (Node::to_json/from_json) and the definition that goes into task keys, so a new
// parameter cannot be left out of the key by accident. FIELD(type, name, default, comment).
// Parameters that decide what the output is:
#define SMALLPOND_NODE_DEFINITION(FIELD)                                                       \
  /* DataSource: the patterns (absolute paths, globs, directories) and reading options; the */ \
  /* files are found when the plan is made. */                                                 \
  FIELD(std::vector<std::string>, patterns, {})                                                \
  FIELD(DataSet, source_options, {})                                                           \
  /* a directory pattern includes its subdirectories */                                        \
  FIELD(bool, recursive, false)                                                                \
  /* Load already-partitioned data into npartitions partitions (in `dimension`): the */        \
  /* partition of a file is k from a `<partition_column>=k` directory in its path, or, */      \
  /* without a column, from a `part-<k>-...` file name (what write_parquet writes). */         \
  FIELD(bool, load_partitioned, false)                                                         \
  FIELD(std::string, partition_column, "")                                                     \
  /* EvenPartition / HashPartition */                                                          \
  FIELD(int, npartitions, 1)                                                                   \
  FIELD(std::vector<std::string>, hash_columns, {})                                            \
  /* HashPartition: a SQL expression giving the partition index (or, with `function` set, */   \
  /* a C++ function does) */                                                                   \
  FIELD(std::string, partition_by, "")                                                         \
  FIELD(bool, by_rows, false)                                                                  \
  /* RangePartition: the sort order (a SQL ORDER BY list); partition i holds rows that */      \
  /* come before those of partition i + 1 */                                                   \
  FIELD(std::string, order_by, "")                                                             \
  /* HashPartition: a partial aggregate each producer runs before the shuffle (set by the */   \
  /* optimizer's combiner, logical/aggregate_split.h), a query over {0} */                     \
  FIELD(std::string, pre_aggregate, "")                                                        \
  /* HashPartition: a row-local query (logical/row_local.h) each producer runs on its rows */  \
  /* first, before pre_aggregate (the optimizer folds a SQL step into the shuffle, or keeps */ \
  /* only the rows its reader's WHERE clause may keep: logical/predicate_pushdown.h) */        \
  FIELD(std::string, pre_map, "")                                                              \
  /* Nested: partition each input partition on its own (3 x 5 gives 15), adding a dimension */ \
  FIELD(bool, nested, false)                                                                   \
  /* The partition dimension this node creates (partition nodes) or removes (Consolidate). */  \
  FIELD(std::string, dimension, "__data_partition__")                                          \
  /* Limit */                                                                                  \
  FIELD(int64_t, limit, 0)                                                                     \
  /* SqlEngine: the query, and the C++ scalar functions it may call: */                        \
  /* [{name, args, returns, function}] */                                                      \
  FIELD(std::string, sql, "")                                                                  \
  FIELD(Json, udfs, Json::array())                                                             \
  /* RowFunction: "filter" | "map" | "flat_map" | "map_batches" | "stream"; Compute: */        \
  /* "table" | "script"; HashPartition: "partition". And where the function is */              \
  /* (common/code_location.h), and the parameters given to every call (engine/row_json). */    \
  FIELD(std::string, function_kind, "")                                                        \
  FIELD(Json, function, nullptr)                                                               \
  FIELD(Json, function_params, nullptr)                                                        \
  /* map_batches, stream */                                                                    \
  FIELD(int64_t, batch_size, 0)                                                                \
  /* Projection: columns (names or SQL expressions), generated columns, union by name; */      \
  /* HashPartition: the only input columns it carries (set by the optimizer; empty: all) */    \
  FIELD(std::vector<std::string>, columns, {})                                                 \
  FIELD(std::vector<std::string>, generated_columns, {})                                       \
  FIELD(bool, union_by_name, false)                                                            \
  /* DataSink: absolute output directory, and "link_or_copy" | "copy" | "link" | "manifest" */ \
  FIELD(std::string, path, "")                                                                 \
  FIELD(std::string, sink_type, "link_or_copy")                                                \
  /* Set by recompute(): makes the definition (and so its tasks' keys) new. */                 \
  FIELD(std::string, recompute_nonce, "")

// Parameters that do not change the output (carried, never in task keys):
#define SMALLPOND_NODE_SETTINGS(FIELD)                                                   \
  /* stream: how often progress is saved */                                              \
  FIELD(double, checkpoint_seconds, 0)                                                   \
  /* DataSink: replace whatever is at path, even what smallpond did not write */         \
  /* (driver/output_guard.h) */                                                          \
  FIELD(bool, overwrite, false)                                                          \
  /* Set by the optimizer: the steps fused into this one, inputs first (for explain). */ \
  FIELD(std::vector<std::string>, fused, {})

struct Node {
  int id = 0;
  NodeKind kind = NodeKind::DataSource;
  std::string name;  //!< step name: unique in a plan, [A-Za-z0-9_]+
  std::vector<NodePtr> inputs;

#define SMALLPOND_NODE_MEMBER(type, field, default_value) type field = default_value;
  SMALLPOND_NODE_DEFINITION(SMALLPOND_NODE_MEMBER)
  SMALLPOND_NODE_SETTINGS(SMALLPOND_NODE_MEMBER)
#undef SMALLPOND_NODE_MEMBER

  //! What determines this node's output besides its inputs: its kind and every definition
  //! parameter that differs from its default, for task keys. The name is not part of it:
  //! renaming a step does not recompute it.
  Json definition() const;
  //! Kind, name and every parameter that differs from its default (inputs are not included).
  Json to_json() const;
  //! A node from to_json's form; InvalidInputError names an unknown field.
  static Node from_json(const Json& json);
};

//! Throws InvalidInputError unless name is a valid step name.
void check_step_name(const std::string& name);

//! The nodes reachable from targets, inputs before their consumers, each once.
std::vector<NodePtr> topological_order(const std::vector<NodePtr>& targets);

}  // namespace smallpond
