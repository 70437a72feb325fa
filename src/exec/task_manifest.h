#pragma once
// The completed-task manifest: _manifest.json inside a published task directory. It records
// the task key, the output data sets (paths relative to the directory) and, for each file, its
// size and fingerprint (io/file_fingerprint.h). A manifest counts only when every file it
// names is still there with that size and fingerprint: a task directory damaged after it was
// published (a file deleted, truncated or replaced, the manifest gone) is recomputed, never
// reused.

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

//! Writes dir/_manifest.json with the fingerprints of the files in dir (dir is private to one
//! attempt until it is published whole). Paths in outputs must lie under final_dir, the
//! directory's name once published.
void write_task_manifest(const std::string& dir, const std::string& final_dir,
                         const TaskManifest& m);
//! Reads dir/_manifest.json; nullopt when it is missing, damaged, for another key, or when a
//! file it names is missing or differs from what it records. Throws Error when a file cannot
//! be read (an I/O error is no proof of damage).
std::optional<TaskManifest> read_task_manifest(const std::string& dir, const std::string& key);

//! Removes dir/_manifest.json: the output there is no longer reused, and a publish into dir
//! replaces it (as it replaces a damaged one). Nothing when it is not there.
void forget_task_manifest(const std::string& dir);

//! Publishes a task output: renames staging_dir (its manifest written) to final_dir, with
//! everything flushed to disk before and after the rename when `flush`. When final_dir exists
//! already it is kept if its manifest verifies for the same key (another attempt published
//! first; its manifest is returned) and otherwise moved into trash_dir and replaced. Returns
//! the manifest that is published.
TaskManifest publish_task_output(const std::string& staging_dir, const std::string& final_dir,
                                 const std::string& trash_dir, const TaskManifest& manifest,
                                 bool flush);

}  // namespace smallpond
