#pragma once
// The parameters of each task kind, one struct each, with its wire form beside it
// (common/json_fields.h): the planner fills them, Task::params carries their JSON form, and the
// executor or scheduler reads them back once with from_json.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_fields.h"
#include "dataset/dataset.h"
#include "plan/task.h"

namespace smallpond {

// Source: its data sets are the task's source_data (plan/task.h): the resolved data set of a
// source step, or (`partitioned`: loading partitioned data) one per partition.
#define SMALLPOND_SOURCE_PARAMS(FIELD) FIELD(bool, partitioned, false)
struct SourceParams {
  SMALLPOND_JSON_FIELDS(SourceParams, SMALLPOND_SOURCE_PARAMS)
};
//! A source's data sets as the parameters named them before they moved to Task::source_data:
//! {"dataset":...} or {"partitions":[...]}, the text of the task's identity (so keys stay those
//! of earlier versions), handed to `write` in pieces.
void write_source_identity(const Task& task, const std::function<void(std::string_view)>& write);

// Split: the concatenated inputs into n parts; mode "files", "rows" or "auto".
#define SMALLPOND_SPLIT_PARAMS(FIELD) \
  FIELD(int, n, 1)                    \
  FIELD(std::string, mode, "files")
struct SplitParams {
  SMALLPOND_JSON_FIELDS(SplitParams, SMALLPOND_SPLIT_PARAMS)
};

// Pick: part `index` of every input, concatenated; with `project`, read differently
// ({columns, generated_columns, union_by_name}).
#define SMALLPOND_PICK_PARAMS(FIELD) \
  FIELD(int, index, 0)               \
  FIELD(Json, project, nullptr)
struct PickParams {
  SMALLPOND_JSON_FIELDS(PickParams, SMALLPOND_PICK_PARAMS)
};

// Sql: the query; the C++ scalar functions it may call; the values of its {NAME} placeholders
// (partition indexes by dimension); concat: all inputs are one {0} (otherwise one per input).
#define SMALLPOND_SQL_PARAMS(FIELD)  \
  FIELD(std::string, sql, "")        \
  FIELD(Json, udfs, Json::array())   \
  FIELD(Json, names, Json::object()) \
  FIELD(bool, concat, false)
struct SqlParams {
  SMALLPOND_JSON_FIELDS(SqlParams, SMALLPOND_SQL_PARAMS)
};

// HashProduce: one bucket per partition, by hash(columns) % n or by the expression `by`, of
// the input (only its columns `keep`, when set) or (with `pre_sql`, a query over {0}) of a
// partial aggregate of it.
#define SMALLPOND_HASH_PRODUCE_PARAMS(FIELD)   \
  FIELD(std::vector<std::string>, columns, {}) \
  FIELD(std::vector<std::string>, keep, {})    \
  FIELD(int, n, 1)                             \
  FIELD(std::string, by, "")                   \
  FIELD(std::string, pre_sql, "")
struct HashProduceParams {
  SMALLPOND_JSON_FIELDS(HashProduceParams, SMALLPOND_HASH_PRODUCE_PARAMS)
};

// A range partition orders rows by (sort key, tie), where the sort key is `key`, an expression
// over the row (named kRangeRow in it) giving a BLOB that compares bytewise as the rows sort,
// and the tie (UBIGINT) spreads rows of equal keys over several ranges.
//
// RangeSample: `samples` rows of the input, chosen from its keys alone, the same whatever order
// the rows come in (engine/range_partition_internal.h; of a large source, from a share of its
// rows chosen by their places: exec/range_sample_input.h), as rows (key BLOB, tie UBIGINT, weight
// BIGINT): the weight is the input's rows per sample, times kRangeWeightScale; `salt` makes
// each group's choice its own.
#define SMALLPOND_RANGE_SAMPLE_PARAMS(FIELD) \
  FIELD(std::string, key, "")                \
  FIELD(int64_t, samples, 0)                 \
  FIELD(int64_t, salt, 0)
struct RangeSampleParams {
  SMALLPOND_JSON_FIELDS(RangeSampleParams, SMALLPOND_RANGE_SAMPLE_PARAMS)
};
constexpr int64_t kRangeWeightScale = 1000000;

// RangeProduce: one bucket per range. The task's last input holds the ranges' boundaries
// (columns `key` and `tie`, in any order); its other inputs, together, the rows. A row goes to
// bucket i when exactly i boundaries are <= (its key, its tie), its tie being a hash of the
// whole row, computed only for rows whose key equals a boundary's.
#define SMALLPOND_RANGE_PRODUCE_PARAMS(FIELD) \
  FIELD(int, n, 1)                            \
  FIELD(std::string, key, "")
struct RangeProduceParams {
  SMALLPOND_JSON_FIELDS(RangeProduceParams, SMALLPOND_RANGE_PRODUCE_PARAMS)
};
//! The name of the input row (a struct of its columns) in range and sample keys.
constexpr const char* kRangeRow = "__sp_row";

// Function: a C++ function (function_kind: filter, map, flat_map, map_batches, stream,
// partition, table, script) at `function` (common/code_location.h), the parameters given to
// every call, batch size (map_batches, stream), checkpoint period (stream), partitions
// (partition), {NAME} values and whether the inputs are given one by one (table, script).
#define SMALLPOND_FUNCTION_PARAMS(FIELD)  \
  FIELD(std::string, function_kind, "")   \
  FIELD(Json, function, nullptr)          \
  FIELD(Json, function_params, nullptr)   \
  FIELD(int64_t, batch_size, 0)           \
  FIELD(double, checkpoint_seconds, 60.0) \
  FIELD(int, n, 0)                        \
  FIELD(Json, names, Json::object())      \
  FIELD(bool, separate_inputs, false)
struct FunctionParams {
  SMALLPOND_JSON_FIELDS(FunctionParams, SMALLPOND_FUNCTION_PARAMS)
};

//! The kind of task whose parameters are a Params (task_kind_of<SqlParams>() is TaskKind::Sql).
template <class Params>
constexpr TaskKind task_kind_of();
#define SMALLPOND_TASK_KIND_OF(kind, name, Params) \
  template <>                                      \
  constexpr TaskKind task_kind_of<Params>() {      \
    return TaskKind::kind;                         \
  }
SMALLPOND_TASK_KINDS(SMALLPOND_TASK_KIND_OF)
#undef SMALLPOND_TASK_KIND_OF

//! A stream function's task: it saves progress in a checkpoint directory.
bool is_stream(const Task& task);

}  // namespace smallpond
