#pragma once
// Tasks: what the planner makes of nodes, and what the scheduler and executors run (this
// module sits below both). A task processes one partition of one step.

#include <map>
#include <string>
#include <vector>

#include "common/json.h"
#include "dataset/dataset.h"
#include "plan/task_outputs.h"

namespace smallpond {

// Every task kind, declared once: KIND(enumerator, wire name, parameter struct). The struct is
// in plan/task_params.h; the kind's handler is an overload for that struct, found by the
// dispatch these lists generate (exec/metadata_tasks.cpp for the scheduler's kinds,
// exec/duckdb_task_runner.h for the executors'): a kind without a handler does not compile.
//
// Kinds that only reshape data set descriptions (no data is read) run in the scheduler:
#define SMALLPOND_SCHEDULER_TASK_KINDS(KIND)                                                  \
  KIND(Source, "source", SourceParams) /* the data set of a source step (resolved at plan) */ \
  KIND(Split, "split", SplitParams)    /* the concatenated inputs in n parts (files, rows) */ \
  KIND(Pick, "pick", PickParams)       /* part `index` of every input, concatenated */
// Kinds that read and write data run on executors:
#define SMALLPOND_EXECUTOR_TASK_KINDS(KIND)                                                   \
  KIND(Sql, "sql", SqlParams) /* the step's SQL over its inputs, written as Parquet */        \
  KIND(HashProduce, "hash_produce", HashProduceParams)    /* one bucket per hash partition */ \
  KIND(RangeSample, "range_sample", RangeSampleParams)    /* sort keys of some rows */        \
  KIND(RangeProduce, "range_produce", RangeProduceParams) /* one bucket per key range */      \
  KIND(Function, "function", FunctionParams)              /* a C++ function over the input */
#define SMALLPOND_TASK_KINDS(KIND)     \
  SMALLPOND_SCHEDULER_TASK_KINDS(KIND) \
  SMALLPOND_EXECUTOR_TASK_KINDS(KIND)

#define SMALLPOND_TASK_KIND_ENUMERATOR(kind, name, Params) kind,
enum class TaskKind { SMALLPOND_TASK_KINDS(SMALLPOND_TASK_KIND_ENUMERATOR) };
#undef SMALLPOND_TASK_KIND_ENUMERATOR

const char* task_kind_name(TaskKind kind);
//! Whether tasks of this kind run on executors (else in the scheduler).
bool runs_on_executor(TaskKind kind);
//! The kind of a name from task_kind_name; InternalError for an unknown name.
TaskKind task_kind_from_name(const std::string& name);

//! A task's place in one partition dimension: index of count. A task of a nested partition has
//! one entry per level (e.g. ticker_a 2 of 3, ticker_b 4 of 5).
struct PartitionDim {
  std::string name;
  int index = 0;
  int count = 1;
};

struct Task {
  int id = 0;
  TaskKind kind = TaskKind::Source;
  std::string step;   //!< the step (node name) the task belongs to
  int partition = 0;  //!< index among the step's tasks of this kind
  std::vector<int> deps;
  //! Kind-specific parameters: Source {partitioned}, Split {n, mode}, Pick {index, project?},
  //! Sql {sql}, HashProduce {columns, n}, RangeSample {key, samples, salt}, RangeProduce {n, key},
  //! Function {function_kind, function, ...}.
  Json params;
  //! A source's data sets, found at planning: the task's output (Source tasks only). Kept out
  //! of `params`, typed and shared: a million files are ~300 MB as a JSON tree, and the
  //! scheduler takes this very list as the output instead of a copy.
  TaskOutputs source_data;
  //! Deterministic identity of the output: hash of the definition and the inputs' keys.
  std::string key;
  std::vector<PartitionDim> dims;  //!< empty for tasks of unpartitioned data

  bool on_executor() const { return runs_on_executor(kind); }
  //! "stats[2]": how messages name the task.
  std::string label() const { return step + "[" + std::to_string(partition) + "]"; }
  //! "sql-2": how the job directory names the task (with its key; see io/job_dir.h).
  std::string name() const {
    return std::string(task_kind_name(kind)) + "-" + std::to_string(partition);
  }
};

//! A write_parquet step: when the job succeeds, the outputs of `tasks` (in order) are
//! published to `path`.
struct SinkPlan {
  std::string step;
  std::string path;
  std::string type = "link_or_copy";  //!< "copy", "link", "manifest" (see SinkType)
  std::vector<int> tasks;
  bool overwrite = false;  //!< replace whatever is at path (see driver/output_guard.h)
};

struct TaskGraph {
  std::vector<Task> tasks;         //!< ids are indexes; deps come before their users
  std::vector<std::string> steps;  //!< step names in plan order
  std::vector<SinkPlan> sinks;
  std::vector<int> outputs;  //!< tasks whose outputs make up the plan's last target
  //! Each step's output partitions: the tasks whose outputs they are, in partition order.
  std::map<std::string, std::vector<int>> step_outputs;
};

}  // namespace smallpond
