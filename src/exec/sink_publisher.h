#pragma once
// Publishing a write_parquet step: the partitions' files are hard-linked (or copied, or
// converted to Parquet when they are not whole Parquet files) into a staging directory beside
// the target, which then replaces the target in one rename. Files are named
// part-<partition>-<n>.parquet; an empty partition becomes a schema-only file.

#include <vector>

#include "dataset/dataset.h"
#include "engine/engine.h"
#include "planner/task.h"

namespace smallpond {

//! partitions[i] is partition i of the step. Returns the number of files written.
int publish_sink(const SinkPlan& sink, const std::vector<DataSet>& partitions, Engine& engine);

}  // namespace smallpond
