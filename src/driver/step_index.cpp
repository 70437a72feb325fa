#include "driver/step_index.h"

#include "io/filesystem.h"
#include "smallpond/error.h"

namespace smallpond {

static const char* const kIndexFile = "steps.json";

static const char* const kActiveFile = "run.active";

void write_step_index(const std::string& job_dir, const TaskGraph& graph,
                      const std::vector<std::vector<DataSet>>& outputs, StepIndex& index) {
  for (auto& [step, tasks] : graph.step_outputs) {
    std::vector<DataSet> parts;
    for (int t : tasks) {
      if (outputs.at(t).empty() || !outputs.at(t)[0].memory_tables().empty()) {
        parts.clear();
        break;
      }
      parts.push_back(outputs.at(t)[0]);
    }
    if (!parts.empty()) {
      // One step's JSON at a time and without indents: a step of a million files is a hundred
      // megabytes of text even so.
      Json list = Json::array();
      for (auto& p : parts) list.push_back(p.to_json());
      index.entries[step] = Json(step).dump() + ":" + list.dump() + "\n";
      index.steps[step] = std::move(parts);
    } else {  // not known this time: not named at all
      index.steps.erase(step);
      index.entries.erase(step);
    }
  }
  // {"steps": {STEP: [data set, ...], ...}}
  std::string text = "{\"steps\":{";
  bool first = true;
  for (auto& [step, entry] : index.entries) {
    text += (first ? "" : ",") + entry;
    first = false;
  }
  text += "}}\n";
  write_file_atomic(job_dir + "/" + kIndexFile, text);
}

void mark_run_active(const std::string& job_dir, bool active) {
  std::string path = job_dir + "/" + kActiveFile;
  if (active)
    write_file_atomic(path, "a run started here and has not finished\n");
  else
    remove_all(path);
}

bool run_active(const std::string& job_dir) { return path_exists(job_dir + "/" + kActiveFile); }

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
