#include "io/job_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "io/filesystem.h"
#include "smallpond/error.h"

namespace smallpond {

JobDir::JobDir(const std::string& root) : root_(absolute_path(root)) {
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

void JobDir::clear_scratch() const {
  for (const char* sub : {"staging", "tmp"}) {
    remove_all(root_ + "/" + sub);
    make_dirs(root_ + "/" + sub);
  }
}

}  // namespace smallpond
