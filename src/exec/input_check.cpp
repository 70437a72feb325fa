#include "exec/input_check.h"

#include <cerrno>
#include <set>

#include "common/crash_point.h"
#include "common/os_error.h"
#include "io/file_fingerprint.h"
#include "smallpond/error.h"

namespace smallpond {

void check_inputs_unchanged(const TaskAssignment& task) { check_unchanged(task.inputs); }

void check_unchanged(const std::vector<DataSet>& data_sets) {
  std::set<std::string> checked;
  for (auto& input : data_sets) {
    for (auto& f : input.files) {
      if (f.fingerprint.empty() || !checked.insert(f.path).second) continue;
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
      if (now != f.fingerprint)
        throw InvalidInputError(
            "input file '" + f.path + "' changed after the job was planned (size:hash " +
                f.fingerprint + ", now " + now + "); rerun the job to read its new content",
            ErrorCode::InputChanged);
    }
  }
}

}  // namespace smallpond
