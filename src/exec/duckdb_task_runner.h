#pragma once
// Runs executor tasks in DuckDB (plan/task.h's SMALLPOND_EXECUTOR_TASK_KINDS): Sql,
// HashProduce, RangeSample and RangeProduce here, Function tasks in
// exec/function_tasks. Outputs are written as Parquet into the staging directory, which is then
// published (renamed) to the task's final directory with its manifest.

#include <map>
#include <memory>

#include "engine/engine.h"
#include "exec/executor_loop.h"
#include "plan/task_params.h"

namespace smallpond {

class DuckDBTaskRunner : public TaskRunner {
 public:
  //! Starts the executor's DuckDB (about 15 ms) now, not at the first task: executors start
  //! while the driver plans, and the first task then finds it ready. (If it cannot start, the
  //! first task tries again and fails with the reason.)
  DuckDBTaskRunner();
  TaskOutcome run(const TaskAssignment& task) override;
  std::string export_table(const std::string& table) override;
  void drop_tables(const std::vector<std::string>& tables) override;

 private:
  // One handler per executor task kind, chosen by its parameter struct (plan/task.h's list);
  // each fills outputs (files under task.staging_dir, or an in-memory table) and returns the
  // rows written.
  int64_t execute(EngineConnection& con, const TaskAssignment& task, const SqlParams& params,
                  std::vector<DataSet>& outputs);
  int64_t execute(EngineConnection& con, const TaskAssignment& task,
                  const HashProduceParams& params, std::vector<DataSet>& outputs);
  int64_t execute(EngineConnection& con, const TaskAssignment& task,
                  const RangeSampleParams& params, std::vector<DataSet>& outputs);
  int64_t execute(EngineConnection& con, const TaskAssignment& task,
                  const RangeProduceParams& params, std::vector<DataSet>& outputs);
  int64_t execute(EngineConnection& con, const TaskAssignment& task, const FunctionParams& params,
                  std::vector<DataSet>& outputs);
  int64_t write_buckets(EngineConnection& con, const TaskAssignment& task, const std::string& rows,
                        bool any_input, const std::string& bucket, int n,
                        std::vector<DataSet>& outputs);
  void register_functions(const Json& udfs);
  void import_memory_inputs(const TaskAssignment& task);
  void prepare_staging(const TaskAssignment& task);                       // an empty staging_dir
  static void confine(const TaskAssignment& task, EngineLimits& limits);  // the sandbox
  Engine& engine();
  std::unique_ptr<Engine> engine_;         // one for every task of the executor
  std::map<std::string, Json> functions_;  // registered scalar functions: name -> definition
  int64_t memory_output_bytes_ = 0;        // of the attempt being run
  bool kept_in_memory_ = false;            // the attempt's output stayed in memory
};

}  // namespace smallpond
