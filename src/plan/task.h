#pragma once
// Tasks: what the planner makes of nodes, and what the scheduler and executors run (this
// module sits below both). A task processes one partition of one step.
// Some tasks only reshape data set descriptions (no data is read) and run in the scheduler;
// the others run SQL on executors.

#include <map>
#include <string>
#include <vector>

#include "common/json.h"

namespace smallpond {

enum class TaskKind {
  Source,       //!< the data set of a source step (resolved at planning)            [scheduler]
  Split,        //!< split the concatenated inputs into n parts, by files or rows      [scheduler]
  Pick,         //!< part `index` of every input, concatenated                         [scheduler]
  Sql,          //!< run the step's SQL over its inputs, write Parquet                 [executor]
  HashProduce,  //!< read the inputs, write one bucket per hash partition              [executor]
  Function,     //!< run a C++ row function over the input, write Parquet              [executor]
};
const char* task_kind_name(TaskKind kind);
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
  //! Kind-specific parameters: Source {dataset}, Split {n, mode}, Pick {index, project?},
  //! Sql {sql}, HashProduce {columns, n}, Function {function_kind, function, ...}.
  Json params;
  //! Deterministic identity of the output: hash of the definition and the inputs' keys.
  std::string key;
  std::vector<PartitionDim> dims;  //!< empty for tasks of unpartitioned data

  bool on_executor() const {
    return kind == TaskKind::Sql || kind == TaskKind::HashProduce || kind == TaskKind::Function;
  }
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
