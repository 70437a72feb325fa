#include "driver/step_index.h"

#include <fstream>

#include "io/filesystem.h"
#include "smallpond/error.h"

namespace smallpond {

static const char* const kIndexFile = "steps.json";

static const char* const kActiveFile = "run.active";

// An entry longer than this is not kept in memory for the session's later jobs: they copy it
// from the index file, where each entry is a line of its own.
constexpr size_t kKeptEntryBytes = 4 << 20;

// A step's entry as the index file holds it: `"step":[data set, ...]`, without a line break.
static std::string entry_prefix(const std::string& step) { return Json(step).dump() + ":"; }

// The entry of `step` in the index file at path, as written there; "" when it is not there.
// Entries start a line: the first after `{"steps":{`, the others after a comma.
static std::string entry_in_file(const std::string& path, const std::string& step) {
  std::ifstream in(path, std::ios::binary);
  std::string prefix = entry_prefix(step), line;
  while (std::getline(in, line)) {
    size_t at = line.rfind("{\"steps\":{", 0) == 0 ? 10 : line.rfind(",", 0) == 0 ? 1 : 0;
    if (line.compare(at, prefix.size(), prefix) == 0) return line.substr(at);
  }
  return "";
}

void write_step_index(const std::string& job_dir, const TaskGraph& graph,
                      const std::vector<TaskOutputs>& outputs, StepIndex& index) {
  std::string path = job_dir + "/" + kIndexFile;
  std::map<std::string, const std::vector<int>*> fresh;  // this job's steps, with their tasks
  for (auto& [step, tasks] : graph.step_outputs) {
    bool known = !tasks.empty();
    for (int t : tasks)
      if (outputs.at(t).empty() || !outputs.at(t)[0].memory_tables().empty()) known = false;
    if (known)
      fresh[step] = &tasks;
    else
      index.entries.erase(step);  // not known this time: not named at all
  }
  // Earlier jobs' entries too large to keep, read back from the file this replaces.
  std::map<std::string, std::string> from_file;
  for (auto& [step, entry] : index.entries)
    if (entry.empty() && !fresh.count(step)) from_file[step] = entry_in_file(path, step);
  for (auto& [step, entry] : from_file)
    if (entry.empty()) index.entries.erase(step);         // gone from the file: no longer named
  for (auto& [step, tasks] : fresh) index.entries[step];  // in name order with the others

  // {"steps": {STEP: [data set, ...], ...}}, an entry a line, each written as it is made: a
  // step of a million files is a hundred megabytes of text.
  write_file_atomic(path, [&](const FileWriter& write) {
    write("{\"steps\":{");
    bool first = true;
    for (auto& [step, kept] : index.entries) {
      if (!first) write(",");
      first = false;
      auto job_step = fresh.find(step);
      if (job_step == fresh.end()) {
        write(kept.empty() ? from_file.at(step) : kept);
        write("\n");
        continue;
      }
      std::string entry = entry_prefix(step) + "[";
      size_t written = 0;
      const std::vector<int>& tasks = *job_step->second;
      auto add = [&](std::string_view piece) {
        entry += piece;
        if (entry.size() > kKeptEntryBytes) {  // too large to keep: written in pieces
          write(entry);
          written += entry.size();
          entry.clear();
        }
      };
      for (size_t i = 0; i < tasks.size(); i++) {
        if (i) add(",");
        outputs.at(tasks[i])[0].write_json(add);
      }
      entry += "]";
      write(entry);
      write("\n");
      kept = written ? std::string() : std::move(entry);
    }
    write("}}\n");
  });
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
