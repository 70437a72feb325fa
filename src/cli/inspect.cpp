#include "cli/inspect.h"

#include <filesystem>
#include <iostream>
#include <set>

#include "dataset/dataset.h"
#include "driver/step_index.h"
#include "engine/engine.h"
#include "io/filesystem.h"
#include "io/job_dir.h"
#include "smallpond/error.h"

namespace fs = std::filesystem;

namespace smallpond {

namespace {

bool is_pipeline_file(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  return fs::is_regular_file(path) && (ext == ".yaml" || ext == ".yml");
}

// A job directory given directly or through its pipeline file.
std::string job_dir_of(const std::string& where) {
  std::string dir = is_pipeline_file(where) ? default_job_dir(where) : absolute_path(where);
  if (!path_exists(dir + "/.smallpond-job") && !path_exists(dir + "/data"))
    throw InvalidInputError("'" + dir + "' is not a smallpond job directory" +
                            (is_pipeline_file(where) ? " (has the pipeline run yet?)" : ""));
  return dir;
}

void print_rows(const DataSet& ds, int64_t limit, size_t files) {
  Engine engine;
  auto con = engine.connect();
  std::string sql = ds.sql();
  int64_t total = con->query_int("SELECT count(*) FROM (" + sql + ")");
  Table t = con->query("SELECT * FROM (" + sql + ") LIMIT " + std::to_string(limit));
  std::cout << t.to_string(static_cast<size_t>(limit));
  if (total > static_cast<int64_t>(t.num_rows()))
    std::cout << "(" << total << " rows in " << files << " files; showing " << t.num_rows()
              << ")\n";
}

}  // namespace

std::string default_job_dir(const std::string& pipeline_file) {
  fs::path p = absolute_path(pipeline_file);
  return (p.parent_path() / ".smallpond" / p.stem()).string();
}

int show_command(const std::string& where, const std::string& step, int64_t limit) {
  if (!step.empty()) {
    std::string dir = job_dir_of(where);
    StepIndex index = read_step_index(dir);
    auto it = index.steps.find(step);
    if (it == index.steps.end()) {
      std::string names;
      for (auto& [name, parts] : index.steps) names += (names.empty() ? "" : ", ") + name;
      throw InvalidInputError("the latest run in '" + dir + "' has no step '" + step +
                              "' with its output kept (steps: " + names + ")");
    }
    DataSet all = DataSet::concat(it->second);
    print_rows(all, limit, all.files.size());
    return 0;
  }
  // Files: the reader by their extension.
  std::string ext = fs::path(where).extension().string();
  DataSet ds;
  std::string wanted = ".parquet";
  if (ext == ".csv" || ext == ".tsv") {
    ds.format = FileFormat::Csv;
    wanted = ext;
    if (ext == ".tsv") ds.delimiter = "\t";
  } else if (ext == ".json" || ext == ".ndjson" || ext == ".jsonl") {
    ds.format = FileFormat::Json;
    wanted = ext;
  } else if (!ext.empty() && ext != ".parquet" && !fs::is_directory(where) &&
             where.find_first_of("*?[") == std::string::npos) {
    throw InvalidInputError("cannot show '" + where +
                            "': not a Parquet, CSV or JSON file (by its name), nor a job "
                            "directory with a step (smallpond show JOB_DIR STEP)");
  }
  if (is_pipeline_file(where))
    throw InvalidInputError("'" + where + "' is a pipeline: name a step (smallpond show " + where +
                            " STEP)");
  auto files = expand_path(where, wanted);
  if (files.empty()) throw InvalidInputError("no " + wanted + " files match '" + where + "'");
  for (auto& f : files) ds.files.push_back({f.path, 0, -1});
  print_rows(ds, limit, files.size());
  return 0;
}

int clean_command(const std::string& where, bool dry_run) {
  std::string dir = job_dir_of(where);
  JobDir job(dir);  // locked: no run uses it meanwhile
  if (run_active(dir))
    throw InvalidInputError("the latest run in '" + dir +
                            "' did not finish (it failed or was stopped): its finished tasks "
                            "are kept for the next run; run it to the end before cleaning");
  StepIndex index = read_step_index(dir);
  // Task directories by name (data/<name>/...), whatever path the job directory had then.
  std::set<std::string> used;
  for (auto& [step, parts] : index.steps)
    for (auto& ds : parts) {
      std::vector<std::string> paths;
      for (auto& f : ds.files) paths.push_back(f.path);
      paths.push_back(ds.schema_file);
      for (auto& p : paths) {
        size_t at = p.rfind("/data/");
        if (at == std::string::npos) continue;
        std::string rest = p.substr(at + 6);
        used.insert(rest.substr(0, rest.find('/')));
      }
    }
  int removed = 0;
  uintmax_t bytes = 0;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(dir + "/data", ec)) {
    std::string name = entry.path().filename().string();
    if (used.count(name)) continue;
    for (auto& f : fs::recursive_directory_iterator(entry.path(), ec))
      if (f.is_regular_file()) bytes += f.file_size();
    if (!dry_run) remove_all(entry.path().string());
    removed++;
  }
  std::cerr << (dry_run ? "would remove " : "removed ") << removed << " task outputs ("
            << bytes / (1 << 20) << " MiB) that the latest run of '" << dir
            << "' does not use; kept " << used.size()
            << ". Outputs published by earlier runs with type: manifest (or links that fell back "
               "to symbolic links) name files in the job directory and lose them.\n";
  return 0;
}

}  // namespace smallpond
