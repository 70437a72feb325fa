#include "exec/assignment_builder.h"

#include "plan/task_params.h"

namespace smallpond {

TaskAssignment AssignmentBuilder::build(const Task& task, int attempt,
                                        const std::vector<DataSet>& inputs, int memory_factor,
                                        bool may_keep_in_memory) const {
  TaskAssignment a;
  a.job = options_.job;
  a.task_id = task.id;
  a.attempt = attempt;
  a.kind = task.kind;
  a.label = task.label();
  a.key = task.key;
  a.params = task.params;
  // SQL reads {0}, {1}, ... as separate inputs unless it gathers partitions ("concat"); other
  // kinds read one concatenated input unless they take their inputs apart.
  bool separate = task.kind == TaskKind::Sql ? !SqlParams::from_json(task.params).concat
                  : task.kind == TaskKind::Function
                      ? FunctionParams::from_json(task.params).separate_inputs
                      : false;
  if (separate || inputs.empty()) {
    a.inputs = inputs;
  } else if (task.kind == TaskKind::RangeProduce) {
    // The rows (every input but the last, together), then the boundaries.
    a.inputs.push_back(DataSet::concat(std::vector<DataSet>(inputs.begin(), inputs.end() - 1)));
    a.inputs.push_back(inputs.back());
  } else {
    a.inputs.push_back(DataSet::concat(inputs));
  }
  a.final_dir = job_dir_.task_dir(task.step, task.name(), task.key);
  if (is_stream(task)) a.checkpoint_dir = job_dir_.checkpoint_dir(task.name(), task.key);
  a.staging_dir = job_dir_.staging_dir(task.name(), task.key, attempt);
  a.limits = options_.limits;
  a.limits.memory_limit *= memory_factor;
  // The executor spills into a directory of its own under it (JobDir::executor_tmp_dir).
  a.limits.temp_directory = job_dir_.tmp_dir();
  a.fault_probability = options_.fault_probability;
  a.intermediate = may_keep_in_memory;
  a.flush_output = options_.flush_task_outputs;
  if (task.kind == TaskKind::Sql && may_keep_in_memory)
    a.memory_output_bytes = options_.memory_output_bytes;
  return a;
}

}  // namespace smallpond
