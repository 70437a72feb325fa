#pragma once
// Function tasks: C++ code of the program (found in the executor by its place in the binary,
// common/code_location.h) run over a task's inputs. One entry point per kind of function;
// DuckDBTaskRunner picks by the task's "function_kind".

#include <cstdint>
#include <vector>

#include "dataset/dataset.h"
#include "engine/engine.h"
#include "exec/protocol.h"
#include "plan/task_params.h"

namespace smallpond {

//! What a function task works with: the task and its parameters, its connection (limits
//! applied) and the output data sets it fills (files under task.staging_dir). Each returns the
//! rows written.
struct FunctionTask {
  const TaskAssignment& task;
  const FunctionParams& params;
  EngineConnection& con;
  std::vector<DataSet>& outputs;
};

//! filter, map, flat_map (row by row) and map_batches (columnar batches).
int64_t run_row_function(FunctionTask t);
//! A user-defined partitioning: one output per partition, as hash partitioning gives.
int64_t run_partition_function(FunctionTask t);
//! A function over whole partitions, one batch per input.
int64_t run_table_function(FunctionTask t);
//! A script over the inputs' files, writing into an output directory.
int64_t run_script(FunctionTask t);
//! A batch function with checkpoints (exec/stream_task.cpp).
int64_t run_stream(FunctionTask t);

}  // namespace smallpond
