#include "exec/task_manifest.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "common/crash_point.h"
#include "common/os_error.h"
#include "io/durable.h"
#include "io/file_fingerprint.h"
#include "io/filesystem.h"
#include "smallpond/error.h"

namespace smallpond {

const char* const kManifestFile = "_manifest.json";

namespace {

// The files of the outputs, relative to their directory, each once.
std::set<std::string> relative_files(const std::vector<DataSet>& outputs) {
  std::set<std::string> out;
  for (auto& d : outputs) {
    for (auto& f : d.files)
      if (!f.in_memory()) out.insert(f.path);
    if (!d.schema_file.empty()) out.insert(d.schema_file);
  }
  return out;
}

}  // namespace

void write_task_manifest(const std::string& dir, const std::string& final_dir,
                         const TaskManifest& m) {
  Json outputs = Json::array();
  std::vector<DataSet> relative;
  for (auto& d : m.outputs) {
    relative.push_back(d.relative_to(final_dir));
    outputs.push_back(relative.back().to_json());
  }
  Json files = Json::array();
  for (auto& rel : relative_files(relative)) {
    FileFingerprint fp = file_fingerprint(dir + "/" + rel);
    files.push_back({{"path", rel}, {"size", fp.size}, {"fingerprint", fp.hash}});
  }
  Json j = {{"key", m.key},   {"label", m.label}, {"outputs", outputs},
            {"files", files}, {"rows", m.rows},   {"seconds", m.seconds}};
  write_file(dir + "/" + kManifestFile, j.dump(1));
}

std::optional<TaskManifest> read_task_manifest(const std::string& dir, const std::string& key) {
  std::string path = dir + "/" + kManifestFile;
  if (!path_exists(path)) return std::nullopt;
  // Reading errors (EIO, EMFILE, a network file system's hiccup) are thrown: they say nothing
  // about the output, which must not be replaced for them. Only a manifest that does not parse
  // or does not match, or a file missing or different, makes the output invalid.
  std::string text = read_file(path);
  TaskManifest m;
  std::vector<DataSet> relative;
  std::vector<std::pair<std::string, FileFingerprint>> recorded;
  try {
    Json j = Json::parse(text);
    if (j.at("key") != key) return std::nullopt;
    m.key = key;
    m.label = j.at("label");
    m.rows = j.at("rows");
    m.seconds = j.at("seconds");
    for (auto& d : j.at("outputs")) relative.push_back(DataSet::from_json(d));
    // A manifest of an older version (no "files") does not verify: the task runs again.
    for (auto& f : j.at("files"))
      recorded.push_back({f.at("path"), {f.at("size").get<int64_t>(), f.at("fingerprint")}});
  } catch (const std::exception&) {
    return std::nullopt;  // damaged: the task runs again
  }
  // Every file the outputs name must be recorded, and still be what was recorded.
  std::set<std::string> named = relative_files(relative);
  for (auto& [rel, fp] : recorded) {
    std::string file = dir + "/" + rel;
    if (!path_exists(file) || file_fingerprint(file) != fp) return std::nullopt;
    named.erase(rel);
  }
  if (!named.empty()) return std::nullopt;
  for (auto& d : relative) m.outputs.push_back(d.resolved_against(dir));
  return m;
}

void forget_task_manifest(const std::string& dir) {
  std::string path = dir + "/" + kManifestFile;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT)
    throw_os_error("cannot remove '" + path + "'", errno);
}

TaskManifest publish_task_output(const std::string& staging_dir, const std::string& final_dir,
                                 const std::string& trash_dir, const TaskManifest& manifest,
                                 bool flush) {
  std::string data_dir = parent_dir(final_dir);
  make_dirs(data_dir);
  if (flush) sync_tree(staging_dir);
  crash_point("task.before_publish");
  for (int tries = 0;; tries++) {
    if (::rename(staging_dir.c_str(), final_dir.c_str()) == 0) {
      if (flush) sync_dir(data_dir);
      crash_point("task.after_publish");
      return manifest;
    }
    int err = errno;
    if ((err != ENOTEMPTY && err != EEXIST) || tries >= 3)
      throw Error("cannot publish '" + final_dir + "': " + std::strerror(err));
    // Another attempt published first: its output is as good as ours.
    if (auto existing = read_task_manifest(final_dir, manifest.key)) {
      remove_all(staging_dir);
      return *existing;
    }
    // A damaged directory (no valid manifest, files missing or changed): replaced. Moved
    // aside first, so that a reader never sees it half removed.
    make_dirs(trash_dir);
    std::string aside = trash_dir + "/damaged-" + unique_suffix();
    if (::rename(final_dir.c_str(), aside.c_str()) == 0) {
      std::fprintf(stderr, "[smallpond] replacing damaged task output '%s'\n", final_dir.c_str());
      remove_all(aside);
    }
  }
}

}  // namespace smallpond
