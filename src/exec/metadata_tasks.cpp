#include "exec/metadata_tasks.h"

#include <algorithm>

#include "dataset/split.h"
#include "plan/task_params.h"
#include "smallpond/error.h"

namespace smallpond {

static DataSet concat_part(const std::vector<const TaskOutputs*>& deps, size_t index) {
  std::vector<const DataSet*> parts;
  for (auto* outputs : deps) parts.push_back(&outputs->at(index));
  return DataSet::concat(parts);
}

// A projection: what to read of the data set (columns, generated columns, union by name).
static void project(const Task& task, const Json& spec, DataSet& ds) {
  auto generated = spec.value("generated_columns", std::vector<std::string>{});
  for (auto& c : generated) {
    if (c != "filename" && c != "file_row_number")
      throw InvalidInputError("step '" + task.step + "': unknown generated column '" + c +
                              "' (filename, file_row_number)");
    if (ds.format != FileFormat::Parquet || !ds.memory_tables().empty())
      throw InvalidInputError("step '" + task.step + "': generated column '" + c +
                              "' needs Parquet files as input");
    if (std::find(ds.generated_columns.begin(), ds.generated_columns.end(), c) ==
        ds.generated_columns.end())
      ds.generated_columns.push_back(c);
  }
  if (spec.value("union_by_name", false)) ds.union_by_name = true;
  auto columns = spec.value("columns", std::vector<std::string>{});
  if (columns.empty()) return;
  for (auto& c : generated)  // asked for, so kept even when the columns do not name them
    if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
  ds.columns = columns;
}

namespace {

// What a scheduler task reads: the outputs of its dependencies, and row counts on demand.
struct MetadataInputs {
  const std::vector<const TaskOutputs*>& deps;
  const RowCounter& count_rows;
};

// One handler per scheduler task kind, chosen by its parameter struct (plan/task.h's list).

// A source's data sets were found at planning: they are the output as they are, not a copy.
TaskOutputs outputs_of(const Task& task, const SourceParams&, const MetadataInputs&) {
  if (!task.source_data.known())
    throw InternalError("source " + task.label() + " has no data sets");
  return task.source_data;
}

TaskOutputs outputs_of(const Task& task, const PickParams& params, const MetadataInputs& in) {
  // One part of one input, as it is: that part itself, shared, not a copy (a repartition of
  // a million files would otherwise hold them once more).
  if (in.deps.size() == 1 && params.project.is_null()) return in.deps[0]->one(params.index);
  std::vector<DataSet> out;
  out.push_back(concat_part(in.deps, params.index));
  if (!params.project.is_null()) project(task, params.project, out[0]);
  return TaskOutputs(std::move(out));
}

TaskOutputs outputs_of(const Task& task, const SplitParams& params, const MetadataInputs& in) {
  DataSet input = concat_part(in.deps, 0);
  const int n = params.n;
  const std::string& mode = params.mode;
  bool parquet = input.format == FileFormat::Parquet;
  if (mode == "rows" && !parquet)
    throw InvalidInputError("step '" + task.step +
                            "': splitting by rows needs Parquet input, not " +
                            format_name(input.format));
  // "auto" (hash producers): split by files when each part gets at least kFilesPerPart of
  // them, else by rows. Whole files are coarse: 20 files into 16 parts give 2, 2, 2, 2, 1, ...,
  // and on 8 executors the job waits for 3 files where 2.5 were due; row ranges cost no more
  // to read (DuckDB skips the row groups outside them). In-memory outputs have no row counts
  // to split by: they are split as whole parts.
  constexpr size_t kFilesPerPart = 4;
  bool in_memory = !input.memory_tables().empty();
  bool by_rows =
      !in_memory &&
      (mode == "rows" || (mode == "auto" && parquet && input.files.size() < kFilesPerPart * n));
  if (by_rows) return TaskOutputs(split_by_rows(input, n, in.count_rows(input)));
  return TaskOutputs(split_by_files(std::move(input), n));  // a copy already: its files move
}

}  // namespace

TaskOutputs run_metadata_task(const Task& task, const std::vector<const TaskOutputs*>& dep_outputs,
                              const RowCounter& count_rows) {
  MetadataInputs in{dep_outputs, count_rows};
  switch (task.kind) {
#define SMALLPOND_METADATA_TASK(kind, name, Params) \
  case TaskKind::kind:                              \
    return outputs_of(task, Params::from_json(task.params), in);
    SMALLPOND_SCHEDULER_TASK_KINDS(SMALLPOND_METADATA_TASK)
#undef SMALLPOND_METADATA_TASK
    default:
      throw InternalError("task " + task.label() + " is not a metadata task");
  }
}

}  // namespace smallpond
