#include "exec/step_index.h"

#include "io/filesystem.h"
#include "smallpond/error.h"

namespace smallpond {

static const char* const kIndexFile = "steps.json";

void write_step_index(const std::string& job_dir, const TaskGraph& graph,
                      const std::vector<std::vector<DataSet>>& outputs) {
  Json steps = Json::object();
  for (auto& [step, tasks] : graph.step_outputs) {
    Json parts = Json::array();
    bool complete = true;
    for (int t : tasks) {
      if (outputs.at(t).empty() || !outputs.at(t)[0].memory_paths().empty()) {
        complete = false;
        break;
      }
      parts.push_back(outputs.at(t)[0].to_json());
    }
    if (complete) steps[step] = std::move(parts);
  }
  write_file_atomic(job_dir + "/" + kIndexFile, Json({{"steps", steps}}).dump(1));
}

StepIndex read_step_index(const std::string& job_dir) {
  std::string path = job_dir + "/" + kIndexFile;
  if (!path_exists(path))
    throw InvalidInputError("'" + job_dir + "' has no finished run to show (no " + kIndexFile +
                            ")");
  StepIndex index;
  try {
    Json j = Json::parse(read_file(path));
    for (auto& [step, parts] : j.at("steps").items())
      for (auto& p : parts) index.steps[step].push_back(DataSet::from_json(p));
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw InvalidInputError("'" + path + "' is damaged: " + e.what());
  }
  return index;
}

}  // namespace smallpond
