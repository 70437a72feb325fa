#include "exec/metadata_tasks.h"

#include "dataset/split.h"
#include "smallpond/error.h"

namespace smallpond {

static DataSet concat_part(const std::vector<const std::vector<DataSet>*>& deps, size_t index) {
  std::vector<DataSet> parts;
  for (auto* outputs : deps) parts.push_back(outputs->at(index));
  return DataSet::concat(parts);
}

std::vector<DataSet> run_metadata_task(const Task& task,
                                       const std::vector<const std::vector<DataSet>*>& dep_outputs,
                                       const RowCounter& count_rows) {
  switch (task.kind) {
    case TaskKind::Source: {
      if (!task.params.contains("partitions"))
        return {DataSet::from_json(task.params.at("dataset"))};
      std::vector<DataSet> parts;
      for (auto& p : task.params["partitions"]) parts.push_back(DataSet::from_json(p));
      return parts;
    }
    case TaskKind::Pick:
      return {concat_part(dep_outputs, task.params.at("index").get<size_t>())};
    case TaskKind::Split: {
      DataSet input = concat_part(dep_outputs, 0);
      int n = task.params.at("n");
      std::string mode = task.params.at("mode");
      bool parquet = input.format == FileFormat::Parquet;
      if (mode == "rows" && !parquet)
        throw InvalidInputError("step '" + task.step +
                                "': splitting by rows needs Parquet input, not " +
                                format_name(input.format));
      // "auto" (hash producers): split by files when there are enough, else by rows.
      // In-memory outputs have no row counts to split by: they are split as whole parts.
      bool in_memory = !input.memory_paths().empty();
      bool by_rows = !in_memory && (mode == "rows" ||
                                    (mode == "auto" && parquet && input.files.size() < size_t(n)));
      if (by_rows) return split_by_rows(input, n, count_rows(input));
      return split_by_files(input, n);
    }
    default:
      throw InternalError("task " + task.label() + " is not a metadata task");
  }
}

}  // namespace smallpond
