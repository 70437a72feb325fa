#include "exec/input_check.h"

#include <cerrno>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/crash_point.h"
#include "common/os_error.h"
#include "common/parallel.h"
#include "common/system.h"
#include "io/file_fingerprint.h"
#include "smallpond/error.h"

namespace smallpond {

void check_inputs_unchanged(const TaskAssignment& task) { check_unchanged(task.inputs); }

// One file against its planned fingerprint.
static void check_file(const FileSlice& f) {
  std::string now;
  try {
    if (fault_point("input.read")) throw_os_error("cannot read '" + f.path + "'", EIO);
    now = to_string(input_fingerprint(f.path));
  } catch (const Error& e) {
    if (is_retryable(e.code())) throw;  // EIO, ESTALE, ...: may pass, the task is retried
    throw InvalidInputError("input file '" + f.path + "' is gone or unreadable since the job " +
                                "was planned: " + e.what(),
                            ErrorCode::InputChanged);
  }
  if (now != f.fingerprint.str())
    throw InvalidInputError(
        "input file '" + f.path + "' changed after the job was planned (size:hash " +
            f.fingerprint.str() + ", now " + now + "); rerun the job to read its new content",
        ErrorCode::InputChanged);
}

void check_unchanged(const std::vector<DataSet>& data_sets) {
  std::vector<const DataSet*> pointers;
  for (auto& ds : data_sets) pointers.push_back(&ds);
  check_unchanged(pointers);
}

void check_unchanged(const std::vector<const DataSet*>& data_sets) {
  std::vector<const FileSlice*> files;
  std::unordered_set<std::string_view> seen;
  for (auto* input : data_sets)
    for (auto& f : input->files)
      if (!f.fingerprint.empty() && seen.insert(f.path).second) files.push_back(&f);
  // On every core: a sink placing a million source files checks each one (a task's few files
  // stay on one thread; parallel_ranges splits only long lists).
  parallel_ranges(files.size(), cpu_count(), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) check_file(*files[i]);
  });
}

}  // namespace smallpond
