#include "io/job_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
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
                              it->path().filename().string() + "', and no " + kMarker +
                              "); choose a new or empty directory");
  }
  make_dirs(root);
  if (!marked) write_file_atomic(root + "/" + kMarker, "smallpond-cpp job directory\n");
}

JobDir::JobDir(const std::string& root) : root_(absolute_path(root)) {
  prepare(root_);
  for (const char* sub : {"data", "staging", "tmp"}) make_dirs(root_ + "/" + sub);
  std::error_code ec;
  dirs_by_key_ = outputs_by_key(root_);
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

std::map<std::string, std::string> JobDir::outputs_by_key(const std::string& root) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto& entry : std::filesystem::directory_iterator(root + "/data", ec)) {
    std::string name = entry.path().filename().string();
    size_t dash = name.rfind('-');
    if (dash != std::string::npos) out[name.substr(dash + 1)] = name;
  }
  return out;
}

std::string JobDir::task_dir(const std::string& step, const std::string& task_name,
                             const std::string& key) const {
  auto it = dirs_by_key_.find(key);
  if (it != dirs_by_key_.end()) return root_ + "/data/" + it->second;
  return root_ + "/data/" + step + "." + task_name + "-" + key;
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

// 16 hex digits from the system's random source.
std::string random_token() {
  uint64_t bits = 0;
  int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    if (::read(fd, &bits, sizeof bits) != static_cast<ssize_t>(sizeof bits)) bits = 0;
    ::close(fd);
  }
  if (bits == 0) bits = static_cast<uint64_t>(::getpid()) * 0x9e3779b97f4a7c15ULL ^ ::time(nullptr);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(bits));
  return hex;
}

const char* const kAlive = ".alive";

// Whether <dir>/.alive exists and nobody holds its lock (its executor is gone).
enum class Owner { Alive, Gone, Unknown };
Owner owner_of(const std::string& dir) {
  int fd = ::open((dir + "/" + kAlive).c_str(), O_RDONLY | O_CLOEXEC);  // flock needs no write
  if (fd < 0) return errno == ENOENT ? Owner::Unknown : Owner::Alive;   // unreadable: not ours
  bool taken = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
  ::close(fd);
  return taken ? Owner::Gone : Owner::Alive;
}

// Removes tmp_root's entries except the spill directories of live executors. An executor holds
// an flock on <its directory>/.alive for its whole life; a lock that can be taken means its
// owner is gone, on whichever host it ran (pids and host names are not unique across
// containers; a lock is). A directory is made as .new-<token> with its lock held, then renamed
// to executor-<pid>-<token>: an executor-* directory without .alive is an older version's.
void clear_tmp(const std::string& tmp_root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(tmp_root, ec)) {
    std::string name = entry.path().filename().string();
    Owner owner = owner_of(entry.path().string());
    if (owner == Owner::Alive) continue;
    if (name.compare(0, 5, ".new-") == 0 && owner == Owner::Unknown) continue;  // being made
    remove_all(entry.path().string());
  }
}

}  // namespace

std::string JobDir::executor_tmp_dir(const std::string& tmp_root) {
  static std::string dir;  // this process's, made once per tmp_root
  static int alive_fd = -1;
  if (dir.empty() || dir.compare(0, tmp_root.size() + 1, tmp_root + "/") != 0) {
    make_dirs(tmp_root);
    clear_tmp(tmp_root);
    if (alive_fd >= 0) ::close(alive_fd);
    std::string token = random_token();
    std::string fresh = tmp_root + "/.new-" + token;
    make_dirs(fresh);
    // The lock file gets its name only once locked: a cleaner that finds .alive never finds
    // it free while its owner lives.
    std::string alive = fresh + "/" + kAlive, unnamed = alive + ".new";
    alive_fd = ::open(unnamed.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (alive_fd < 0 || ::flock(alive_fd, LOCK_EX | LOCK_NB) != 0)
      throw Error("cannot lock the spill directory '" + fresh + "': " + std::strerror(errno));
    rename_file(unnamed, alive);
    dir = tmp_root + "/executor-" + std::to_string(::getpid()) + "-" + token;
    rename_file(fresh, dir);  // visible to cleaners only with its lock held
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
