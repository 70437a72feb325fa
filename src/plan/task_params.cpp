#include "plan/task_params.h"

namespace smallpond {

SMALLPOND_JSON_FIELDS_IMPL(SourceParams, SMALLPOND_SOURCE_PARAMS)
SMALLPOND_JSON_FIELDS_IMPL(SplitParams, SMALLPOND_SPLIT_PARAMS)
SMALLPOND_JSON_FIELDS_IMPL(PickParams, SMALLPOND_PICK_PARAMS)
SMALLPOND_JSON_FIELDS_IMPL(SqlParams, SMALLPOND_SQL_PARAMS)
SMALLPOND_JSON_FIELDS_IMPL(HashProduceParams, SMALLPOND_HASH_PRODUCE_PARAMS)
SMALLPOND_JSON_FIELDS_IMPL(RangeSampleParams, SMALLPOND_RANGE_SAMPLE_PARAMS)
SMALLPOND_JSON_FIELDS_IMPL(RangeProduceParams, SMALLPOND_RANGE_PRODUCE_PARAMS)
SMALLPOND_JSON_FIELDS_IMPL(FunctionParams, SMALLPOND_FUNCTION_PARAMS)

bool is_stream(const Task& task) {
  return task.kind == TaskKind::Function &&
         FunctionParams::from_json(task.params).function_kind == "stream";
}

}  // namespace smallpond
