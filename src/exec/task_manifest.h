#pragma once
// The completed-task manifest: _manifest.json inside a published task directory. It records
// the task key and the output data sets (paths relative to the directory).

#include <optional>
#include <string>
#include <vector>

#include "dataset/dataset.h"

namespace smallpond {

struct TaskManifest {
  std::string key;
  std::string label;
  std::vector<DataSet> outputs;  //!< absolute paths in memory, relative on disk
  int64_t rows = 0;
  double seconds = 0;
};

extern const char* const kManifestFile;

//! Writes dir/_manifest.json (atomically). Paths in outputs must lie under final_dir, the
//! directory's name once published.
void write_task_manifest(const std::string& dir, const std::string& final_dir,
                         const TaskManifest& m);
//! Reads dir/_manifest.json; nullopt when it is missing, unreadable or for another key.
std::optional<TaskManifest> read_task_manifest(const std::string& dir, const std::string& key);

}  // namespace smallpond
