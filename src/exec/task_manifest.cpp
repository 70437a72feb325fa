#include "exec/task_manifest.h"

#include "io/filesystem.h"

namespace smallpond {

const char* const kManifestFile = "_manifest.json";

void write_task_manifest(const std::string& dir, const std::string& final_dir,
                         const TaskManifest& m) {
  Json outputs = Json::array();
  for (auto& d : m.outputs) outputs.push_back(d.relative_to(final_dir).to_json());
  Json j = {{"key", m.key},
            {"label", m.label},
            {"outputs", outputs},
            {"rows", m.rows},
            {"seconds", m.seconds}};
  write_file_atomic(dir + "/" + kManifestFile, j.dump(1));
}

std::optional<TaskManifest> read_task_manifest(const std::string& dir, const std::string& key) {
  std::string path = dir + "/" + kManifestFile;
  if (!path_exists(path)) return std::nullopt;
  try {
    Json j = Json::parse(read_file(path));
    if (j.at("key") != key) return std::nullopt;
    TaskManifest m;
    m.key = key;
    m.label = j.at("label");
    m.rows = j.at("rows");
    m.seconds = j.at("seconds");
    for (auto& d : j.at("outputs"))
      m.outputs.push_back(DataSet::from_json(d).resolved_against(dir));
    return m;
  } catch (const std::exception&) {
    return std::nullopt;  // a damaged manifest: the task runs again
  }
}

}  // namespace smallpond
