#pragma once
// The output guard: before a job runs, every sink's target is checked against what replacing
// it would destroy. Nothing is touched when a check fails.
//
// Refused always (overwrite does not lift these):
//   - the target is, or holds, an input file of the job;
//   - the target is, or holds, the job directory, or lies inside it;
//   - the target is, or holds, a protected directory (the pipeline file's directory, the
//     current directory, the home directory, the program's directory, /);
//   - two sinks write to the same path, or one inside the other.
// Refused unless overwrite is asked for (per sink, or for the whole job):
//   - the target exists and is not a previous smallpond output (a directory holding
//     .MANIFEST.txt and only the files it lists) or an empty directory: a regular file, a
//     symbolic link, a directory of other files.
// The guard also finishes interrupted publishes to each target (io/publish.h), so that a
// previous output a crash left moved aside is back before anything else happens.

#include <string>
#include <vector>

#include "plan/task.h"

namespace smallpond {

struct OutputGuardContext {
  std::string job_dir;
  std::vector<std::string> protected_dirs;  //!< besides cwd, home, the program's directory, /
  bool overwrite = false;                   //!< for every sink (--overwrite)
};

//! Throws InvalidInputError naming the step, the target and the reason.
void check_output_paths(const TaskGraph& graph, const OutputGuardContext& context);

//! Why replacing target would lose something smallpond did not write, or "" when it would not
//! (absent, an empty directory, or a previous output holding only what its manifest lists).
//! Checked again when the output is published, in case something appeared meanwhile.
std::string replace_refusal(const std::string& target);

}  // namespace smallpond
