#pragma once
// Source files must not change under a job: a task checks, before it reads and again before it
// publishes, that every source file it reads still has the content the plan saw (the
// fingerprint in its data set). A file that changed fails the task, and so the job, at once:
// an output is never computed from content other than what its key names, so a rerun never
// reuses it for the wrong content and a job never mixes two versions of an input.

#include "exec/protocol.h"

namespace smallpond {

//! Throws InvalidInputError (not retried) naming the file when it changed or is gone.
void check_inputs_unchanged(const TaskAssignment& task);
//! The same for the source files among data sets (a sink that places source files as they are).
void check_unchanged(const std::vector<DataSet>& data_sets);
void check_unchanged(const std::vector<const DataSet*>& data_sets);

}  // namespace smallpond
