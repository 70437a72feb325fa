#pragma once
// `smallpond show` and `smallpond clean`: looking at data and at a job directory.

#include <cstdint>
#include <string>

namespace smallpond {

//! The default job directory of a pipeline file: .smallpond/<name without .yaml> beside it.
std::string default_job_dir(const std::string& pipeline_file);

//! Prints up to `limit` rows. With a step: `where` is a job directory or a pipeline file, and
//! the rows are that step's output in the latest finished run. Without: `where` is a file,
//! glob or directory of Parquet, CSV or JSON files.
int show_command(const std::string& where, const std::string& step, int64_t limit);

//! Removes the task outputs (and checkpoints) of `where` (a job directory or a pipeline file)
//! that its latest finished run does not use. With dry_run, only says what it would remove.
int clean_command(const std::string& where, bool dry_run);

}  // namespace smallpond
