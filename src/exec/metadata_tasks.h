#pragma once
// Tasks that only reshape data set descriptions (plan/task.h's SMALLPOND_SCHEDULER_TASK_KINDS).
// They read no rows, so the scheduler runs them itself, at once, instead of sending them to an
// executor.

#include <functional>
#include <vector>

#include "dataset/dataset.h"
#include "plan/task.h"

namespace smallpond {

//! Row counts of each file (or file slice) of a Parquet data set.
using RowCounter = std::function<std::vector<int64_t>(const DataSet&)>;

//! The outputs of a metadata task. dep_outputs[i] are the outputs of task.deps[i].
TaskOutputs run_metadata_task(const Task& task, const std::vector<const TaskOutputs*>& dep_outputs,
                              const RowCounter& count_rows);

}  // namespace smallpond
