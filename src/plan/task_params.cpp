#include "plan/task_params.h"

#include "smallpond/error.h"

namespace smallpond {

SMALLPOND_JSON_FIELDS_IMPL(SourceParams, SMALLPOND_SOURCE_PARAMS)
SMALLPOND_JSON_FIELDS_IMPL(SplitParams, SMALLPOND_SPLIT_PARAMS)
SMALLPOND_JSON_FIELDS_IMPL(PickParams, SMALLPOND_PICK_PARAMS)
SMALLPOND_JSON_FIELDS_IMPL(SqlParams, SMALLPOND_SQL_PARAMS)
SMALLPOND_JSON_FIELDS_IMPL(HashProduceParams, SMALLPOND_HASH_PRODUCE_PARAMS)
SMALLPOND_JSON_FIELDS_IMPL(RangeSampleParams, SMALLPOND_RANGE_SAMPLE_PARAMS)
SMALLPOND_JSON_FIELDS_IMPL(RangeProduceParams, SMALLPOND_RANGE_PRODUCE_PARAMS)
SMALLPOND_JSON_FIELDS_IMPL(FunctionParams, SMALLPOND_FUNCTION_PARAMS)

void write_source_identity(const Task& task, const std::function<void(std::string_view)>& write) {
  const TaskOutputs& data = task.source_data;
  // The former fields left out what equalled their defaults: no partitions, an empty data set.
  if (SourceParams::from_json(task.params).partitioned) {
    if (data.empty()) return write("{}");
    write("{\"partitions\":[");
    for (size_t i = 0; i < data.size(); i++) {
      if (i) write(",");
      data[i].write_json(write);
    }
    return write("]}");
  }
  if (data.empty()) return write("{}");
  if (data.size() != 1) throw InternalError("source " + task.label() + " has several data sets");
  const DataSet& ds = data.front();
  if (ds.files.empty() && ds.to_json() == DataSet().to_json()) return write("{}");
  write("{\"dataset\":");
  ds.write_json(write);
  write("}");
}

bool is_stream(const Task& task) {
  return task.kind == TaskKind::Function &&
         FunctionParams::from_json(task.params).function_kind == "stream";
}

}  // namespace smallpond
