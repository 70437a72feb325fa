#include "driver/output_guard.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

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
  // A previous output: replaced only if it holds nothing but what its manifest lists.
  std::set<std::string> listed = {kSinkManifest};
  std::istringstream lines(read_file(manifest_path));
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) listed.insert(fs::path(line).filename().string());
  for (; it != fs::end(it); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!listed.count(name))
      return "it is a previous output with files added since (e.g. '" + name + "')";
  }
  return "";
}

void check_output_paths(const TaskGraph& graph, const OutputGuardContext& context) {
  if (graph.sinks.empty()) return;
  std::vector<std::pair<fs::path, std::string>> inputs;  // canonical file, step
  // Each directory is resolved once (a million input files share a few thousand); a file
  // that is itself a link is resolved whole, wherever it points.
  std::map<std::string, fs::path> resolved_dirs;
  auto canonical_file = [&](const std::string& path) {
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) return canonical(path);
    fs::path p(path);
    std::string dir = p.parent_path().string();
    auto it = resolved_dirs.find(dir);
    if (it == resolved_dirs.end()) it = resolved_dirs.emplace(dir, canonical(dir)).first;
    return it->second / p.filename();
  };
  for (auto& t : graph.tasks) {
    if (t.kind != TaskKind::Source) continue;
    SourceParams params = SourceParams::from_json(t.params);
    params.partitions.push_back(std::move(params.dataset));
    for (auto& part : params.partitions)
      for (auto& f : part.files) inputs.push_back({canonical_file(f.path), t.step});
  }
  auto guarded = protected_dirs(context);
  std::vector<fs::path> targets;
  for (auto& sink : graph.sinks) targets.push_back(canonical(sink.path));

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
    for (auto& [file, step] : inputs) {
      if (within(file, target))
        refuse("it holds '" + file.string() + "', an input of step '" + step + "'");
    }
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
