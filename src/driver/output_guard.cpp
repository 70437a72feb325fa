#include "driver/output_guard.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "dataset/dataset.h"
#include "driver/sink_publisher.h"
#include "io/filesystem.h"
#include "io/publish.h"
#include "plan/task_params.h"
#include "smallpond/error.h"

namespace fs = std::filesystem;

namespace smallpond {

namespace {

// Symbolic links resolved, so that two spellings of one directory compare equal.
fs::path canonical(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::path(path), ec);
  return ec ? fs::path(path).lexically_normal() : p;
}

// path == dir or path lies under dir.
bool within(const fs::path& path, const fs::path& dir) {
  auto p = path.begin(), d = dir.begin();
  for (; d != dir.end(); ++d, ++p) {
    if (d->empty()) continue;  // a trailing separator
    if (p == path.end() || *p != *d) return false;
  }
  return true;
}

struct Protected {
  fs::path path;
  std::string what;
};

std::vector<Protected> protected_dirs(const OutputGuardContext& context) {
  std::vector<Protected> out;  // the most telling first: the first match is reported
  for (auto& d : context.protected_dirs)
    out.push_back({canonical(d), "the pipeline's directory '" + d + "'"});
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (!ec) out.push_back({canonical(cwd.string()), "the current directory '" + cwd.string() + "'"});
  if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/')
    out.push_back({canonical(home), std::string("the home directory '") + home + "'"});
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec)
    out.push_back({canonical(exe.parent_path().string()),
                   "the program's directory '" + exe.parent_path().string() + "'"});
  out.push_back({canonical(context.job_dir), "the job directory '" + context.job_dir + "'"});
  return out;
}

struct InputFile {
  std::string path;  // where it really is
  std::string step;
};

// For each target, the first file of a source that lies in it (or is it), in one pass over the
// sources' files. Each directory is resolved once (a million files share a few thousand); a
// file that is itself a link is resolved whole, wherever it points.
std::vector<std::optional<InputFile>> inputs_within(const TaskGraph& graph,
                                                    const std::vector<fs::path>& targets) {
  std::vector<std::optional<InputFile>> found(targets.size());
  std::vector<fs::path> target_dirs, target_names;  // split once, not for every file
  for (auto& target : targets) {
    target_dirs.push_back(target.parent_path());
    target_names.push_back(target.filename());
  }
  struct Dir {
    fs::path path;             // resolved
    std::vector<bool> inside;  // by target
  };
  std::unordered_map<std::string, Dir> dirs;
  for (auto& t : graph.tasks) {
    if (t.kind != TaskKind::Source) continue;
    for (auto& ds : t.source_data) {
      for (auto& f : ds.files) {
        if (f.in_memory()) continue;
        struct stat st;
        if (::lstat(f.path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
          fs::path file = canonical(f.path);
          for (size_t i = 0; i < targets.size(); i++)
            if (!found[i] && within(file, targets[i])) found[i] = InputFile{file.string(), t.step};
          continue;
        }
        fs::path p(f.path);
        std::string parent = p.parent_path().string();
        auto dir = dirs.find(parent);
        if (dir == dirs.end()) {
          Dir d{canonical(parent), {}};
          for (auto& target : targets) d.inside.push_back(within(d.path, target));
          dir = dirs.emplace(std::move(parent), std::move(d)).first;
        }
        fs::path name = p.filename();
        // A file lies in a target when its directory does, or when it is the target.
        for (size_t i = 0; i < targets.size(); i++) {
          if (found[i]) continue;
          bool is_target = target_names[i] == name && target_dirs[i] == dir->second.path;
          if (dir->second.inside[i] || is_target)
            found[i] = InputFile{(dir->second.path / name).string(), t.step};
        }
      }
    }
  }
  return found;
}

}  // namespace

std::string replace_refusal(const std::string& target) {
  struct stat st;
  if (::lstat(target.c_str(), &st) != 0) return "";
  if (S_ISLNK(st.st_mode)) return "it is a symbolic link";
  if (!S_ISDIR(st.st_mode)) return "it is a file";
  std::error_code ec;
  fs::directory_iterator it(target, ec);
  if (ec) return "it cannot be listed (" + ec.message() + ")";
  if (it == fs::end(it)) return "";
  std::string manifest_path = target + "/" + kSinkManifest;
  if (!fs::exists(manifest_path, ec))
    return "it holds files that are not a smallpond output (e.g. '" +
           it->path().filename().string() + "'; a smallpond output has " + kSinkManifest + ")";
  // A previous output: replaced only if it holds nothing but what its manifest lists there.
  // Most hold few entries (a manifest sink's holds none but the manifest, which may list a
  // million files elsewhere): the manifest is read only when there is something to look up.
  std::vector<std::string> others;
  for (; !ec && it != fs::end(it); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name != kSinkManifest) others.push_back(std::move(name));
  }
  if (ec) return "it cannot be listed (" + ec.message() + ")";
  if (others.empty()) return "";
  // Lines are absolute paths: <target>/<name> for a file placed in it; files listed where they
  // are (a manifest sink's, in a job directory) are not in it, whatever their names.
  const std::string prefix = absolute_path(target) + "/";
  const std::string text = read_file(manifest_path);
  std::unordered_set<std::string_view> listed;
  for (size_t at = 0; at < text.size();) {
    size_t end = std::min(text.find('\n', at), text.size());
    std::string_view line(text.data() + at, end - at);
    if (line.size() > prefix.size() && line.compare(0, prefix.size(), prefix) == 0 &&
        line.find('/', prefix.size()) == std::string_view::npos)
      listed.insert(line.substr(prefix.size()));
    at = end + 1;
  }
  for (auto& name : others)
    if (!listed.count(name))
      return "it is a previous output with files added since (e.g. '" + name + "')";
  return "";
}

void check_output_paths(const TaskGraph& graph, const OutputGuardContext& context) {
  if (graph.sinks.empty()) return;
  auto guarded = protected_dirs(context);
  std::vector<fs::path> targets;
  for (auto& sink : graph.sinks) targets.push_back(canonical(sink.path));
  std::vector<std::optional<InputFile>> inputs = inputs_within(graph, targets);

  for (size_t i = 0; i < graph.sinks.size(); i++) {
    const SinkPlan& sink = graph.sinks[i];
    const fs::path& target = targets[i];
    auto refuse = [&](const std::string& why) {
      throw InvalidInputError("step '" + sink.step + "': refusing to write '" + sink.path +
                              "': " + why + "; nothing was changed");
    };
    if (target == target.root_path()) refuse("it is the root directory");
    for (auto& g : guarded) {
      if (within(g.path, target))
        refuse(g.path == target ? "it is " + g.what : "it holds " + g.what);
    }
    if (within(target, canonical(context.job_dir)))
      refuse("it lies inside the job directory '" + context.job_dir + "'");
    if (inputs[i])
      refuse("it holds '" + inputs[i]->path + "', an input of step '" + inputs[i]->step + "'");
    for (size_t j = 0; j < graph.sinks.size(); j++) {
      if (j == i) continue;
      if (within(targets[j], target) || within(target, targets[j]))
        refuse("step '" + graph.sinks[j].step + "' writes to '" + graph.sinks[j].path +
               "' too; each output needs a directory of its own");
    }
    std::error_code ec;
    std::string path = absolute_path(sink.path);
    if (fs::is_directory(target.parent_path(), ec)) {
      PublishLock lock(path);
      recover_publish(path);
    }
    if (!sink.overwrite && !context.overwrite) {
      std::string why = replace_refusal(path);
      if (!why.empty())
        refuse("it exists and " + why +
               ". Choose another path, or replace it with overwrite: true (--overwrite; "
               "Options::overwrite)");
    }
  }
}

}  // namespace smallpond
