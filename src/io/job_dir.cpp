#include "io/job_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <filesystem>

#include "io/filesystem.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

const char* const kMarker = ".smallpond-job";

// Written by versions before the marker: every one of these is there.
bool has_old_layout(const std::string& root) {
  for (const char* entry : {"data", "staging", "tmp", ".lock"})
    if (!path_exists(root + "/" + entry)) return false;
  return true;
}

}  // namespace

void JobDir::prepare(const std::string& root_path) {
  namespace fs = std::filesystem;
  std::string root = absolute_path(root_path);
  std::error_code ec;
  auto status = fs::symlink_status(root, ec);
  if (fs::exists(status) && !fs::is_directory(fs::status(root, ec)))
    throw InvalidInputError("job directory '" + root + "' is a file; choose a directory");
  bool marked = path_exists(root + "/" + kMarker);
  if (!marked && fs::exists(status) && !has_old_layout(root)) {
    fs::directory_iterator it(root, ec);
    if (ec) throw InvalidInputError("cannot list job directory '" + root + "': " + ec.message());
    if (it != fs::end(it))
      throw InvalidInputError("'" + root +
                              "' cannot be a job directory: it is not empty and not a smallpond "
                              "job directory (it holds '" +
                              it->path().filename().string() +
                              "', and no " + kMarker + "); choose a new or empty directory");
  }
  make_dirs(root);
  if (!marked) write_file_atomic(root + "/" + kMarker, "smallpond-cpp job directory\n");
}

JobDir::JobDir(const std::string& root) : root_(absolute_path(root)) {
  prepare(root_);
  for (const char* sub : {"data", "staging", "tmp"}) make_dirs(root_ + "/" + sub);
  std::string lock = root_ + "/.lock";
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) throw InvalidInputError("cannot open '" + lock + "'");
  // A child forked an instant ago (an executor starting) holds the lock's file until its exec
  // closes it: wait briefly before calling the directory busy.
  bool locked = false;
  for (int tries = 0; tries < 100 && !locked; tries++) {
    locked = ::flock(lock_fd_, LOCK_EX | LOCK_NB) == 0;
    if (!locked) ::usleep(20000);
  }
  if (!locked) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw InvalidInputError("job directory '" + root_ + "' is in use by another smallpond process");
  }
}

JobDir::~JobDir() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

std::string JobDir::task_dir(const std::string& task_name, const std::string& key) const {
  return root_ + "/data/" + task_name + "-" + key;
}

std::string JobDir::staging_dir(const std::string& task_name, const std::string& key,
                                int attempt) const {
  return root_ + "/staging/" + task_name + "-" + key + "." + std::to_string(attempt) + "." +
         unique_suffix();
}

std::string JobDir::checkpoint_dir(const std::string& task_name, const std::string& key) const {
  return root_ + "/checkpoints/" + task_name + "-" + key;
}

namespace {

std::string host_name() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "host";
  return buf;
}

// Removes tmp_root's entries except the spill directories of live processes and those of
// other hosts (which cannot be checked from here; their own executors clean them).
void clear_tmp(const std::string& tmp_root) {
  namespace fs = std::filesystem;
  const std::string mine = "executor-" + host_name() + "-";
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(tmp_root, ec)) {
    std::string name = entry.path().filename().string();
    if (name.compare(0, 9, "executor-") == 0) {
      if (name.compare(0, mine.size(), mine) != 0) continue;  // another host's
      long pid = std::strtol(name.c_str() + mine.size(), nullptr, 10);
      if (pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM)) continue;
    }
    remove_all(entry.path().string());
  }
}

}  // namespace

std::string JobDir::executor_tmp_dir(const std::string& tmp_root) {
  static std::string dir;  // this process's, once cleaned up around
  if (dir.empty() || dir.compare(0, tmp_root.size(), tmp_root) != 0) {
    make_dirs(tmp_root);
    clear_tmp(tmp_root);
    dir = tmp_root + "/executor-" + host_name() + "-" + std::to_string(::getpid());
  }
  return dir;
}

void JobDir::clear_scratch() const {
  remove_all(root_ + "/staging");
  make_dirs(root_ + "/staging");
  make_dirs(root_ + "/tmp");
  clear_tmp(root_ + "/tmp");
}

}  // namespace smallpond
