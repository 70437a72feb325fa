#pragma once
// Publishing a sink (write_parquet, data_sink): the partitions' files are hard-linked, copied
// or linked, as the sink's type says (or converted to Parquet when they are not whole Parquet
// files) into a staging directory beside the target, which then replaces the target in one
// rename. Files are named part-<partition>-<n>.parquet; an empty partition becomes a
// schema-only file. .MANIFEST.txt lists the data files' absolute paths; a "manifest" sink
// lists the job directory's files where they are instead of placing them.

#include <vector>

#include "dataset/dataset.h"
#include "engine/engine.h"
#include "plan/task.h"

namespace smallpond {

//! The file that lists a sink's data files.
constexpr const char* kSinkManifest = ".MANIFEST.txt";

//! *partitions[i] is partition i of the step (not copied: a sink may place a million files).
//! Returns the number of files written.
int publish_sink(const SinkPlan& sink, const std::vector<const DataSet*>& partitions,
                 Engine& engine);

}  // namespace smallpond
