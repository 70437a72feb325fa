#pragma once
// The step index: <job_dir>/steps.json, written when a run succeeds. It names, for every step
// of that run, the data sets of its output partitions, so that a step's result can be found by
// its name (`smallpond show JOB_DIR STEP`), and tells which task directories the latest run
// uses (`smallpond clean` removes the others). Task directories are found by key (a renamed
// step resumes in the directory its old name made); this index is how step names find them.

#include <map>
#include <string>
#include <vector>

#include "dataset/dataset.h"
#include "plan/task.h"

namespace smallpond {

struct StepIndex {
  //! step -> its partitions (files), as read_step_index reads them
  std::map<std::string, std::vector<DataSet>> steps;
  //! step -> its entry in the file, kept by write_step_index: a session that runs many jobs
  //! serialises each step once, not once per job. "" for an entry too large to keep in memory
  //! (millions of files): it is copied from the file when the index is written again.
  std::map<std::string, std::string> entries;
};

//! Adds the steps of a finished job (outputs: by task id) to index and writes it. Outputs kept
//! in memory are left out (they are gone with the run). A program that runs several jobs in
//! one session keeps one index for all of them.
void write_step_index(const std::string& job_dir, const TaskGraph& graph,
                      const std::vector<TaskOutputs>& outputs, StepIndex& index);
//! <job_dir>/run.active exists from the start of a run until it succeeds: while it does, the
//! index does not name what the unfinished run computed, and nothing may be cleaned.
void mark_run_active(const std::string& job_dir, bool active);
bool run_active(const std::string& job_dir);
//! Reads it; throws InvalidInputError when the job directory has none (no run finished).
StepIndex read_step_index(const std::string& job_dir);

}  // namespace smallpond
