#pragma once
// Publishing a sink (write_parquet, data_sink): the partitions' files are hard-linked, copied
// or linked, as the sink's type says (or converted to Parquet when they are not whole Parquet
// files) into a staging directory beside the target, which then replaces the target in one
// rename (io/publish.h). Files are named part-<partition>-<n>.parquet; an empty partition becomes a
// schema-only file. .MANIFEST.txt lists the data files' absolute paths; a "manifest" sink
// lists the job directory's files where they are instead of placing them.

#include <vector>

#include "dataset/dataset.h"
#include "engine/engine.h"
#include "plan/task.h"

namespace smallpond {

//! The file that lists a sink's data files.
constexpr const char* kSinkManifest = ".MANIFEST.txt";

//! Publishes a job's sinks: *partitions[s][i] is partition i of sink s's step (not copied: a
//! sink may place a million files). All or none, as far as a file system allows: every new
//! output is built and flushed beside its target before any replaces its target, so a
//! refusal, a changed input, a full disk or a file that cannot be placed changes no output.
//! Only a failure of the swaps themselves (renames) can leave the first sinks replaced and
//! the others not; the error then names those replaced.
void publish_sinks(const std::vector<SinkPlan>& sinks,
                   const std::vector<std::vector<const DataSet*>>& partitions, Engine& engine);

}  // namespace smallpond
