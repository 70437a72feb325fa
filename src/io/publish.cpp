#include "io/publish.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "common/crash_point.h"
#include "io/durable.h"
#include "io/filesystem.h"
#include "smallpond/error.h"

namespace fs = std::filesystem;

namespace smallpond {

namespace {

// Names no one gives a directory by chance: only these count as leftovers (a user's
// "out.old-2024-06" or "out.staging-1-2" is never touched).
const char* const kStagingInfix = ".smallpond-staging-";
const char* const kOldInfix = ".smallpond-old-";

// Swaps two paths in one step; false when the kernel or file system cannot (the caller falls
// back to two renames). SMALLPOND_NO_RENAME_EXCHANGE=1 forces the fallback, for its tests.
bool exchange(const std::string& a, const std::string& b) {
  const char* disabled = std::getenv("SMALLPOND_NO_RENAME_EXCHANGE");
  if (disabled != nullptr && std::string(disabled) == "1") return false;
  if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0) return true;
  if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) return false;
  throw Error("cannot exchange '" + a + "' and '" + b + "': " + std::strerror(errno));
}

void rename_or_throw(const std::string& from, const std::string& to, const char* what) {
  if (::rename(from.c_str(), to.c_str()) != 0)
    throw Error(std::string("cannot ") + what + " '" + from + "' to '" + to +
                "': " + std::strerror(errno));
}

// Entries beside target named <target-name><infix><pid>-<n> (what staging_path_for and
// replace_directory name them; unique_suffix), as full paths. Nothing else matches.
std::vector<std::string> leftovers(const std::string& target, const std::string& infix) {
  std::vector<std::string> out;
  fs::path t(target);
  std::string prefix = t.filename().string() + infix;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(t.parent_path(), ec)) {
    std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    std::string suffix = name.substr(prefix.size());
    size_t dash = suffix.find('-');
    auto digits = [](const std::string& s) {
      return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
    };
    if (dash != std::string::npos && digits(suffix.substr(0, dash)) &&
        digits(suffix.substr(dash + 1)))
      out.push_back(entry.path().string());
  }
  return out;
}

}  // namespace

std::string staging_path_for(const std::string& target) {
  return target + kStagingInfix + unique_suffix();
}

void replace_directory(const std::string& staged, const std::string& target,
                       const ReplaceCheck& refusal) {
  sync_tree(staged);
  swap_in(staged, target, refusal);
}

void swap_in(const std::string& staged, const std::string& target, const ReplaceCheck& refusal) {
  const std::string parent = parent_dir(target);
  crash_point("publish.before_swap");
  // Checked last, after the (possibly long) build and flush of staged: what appeared in the
  // target meanwhile is not swapped away.
  if (refusal) {
    std::string why = refusal(target);
    if (!why.empty()) throw ReplaceRefused(why);
  }
  struct stat st;
  bool target_exists = ::lstat(target.c_str(), &st) == 0;
  if (!target_exists) {
    rename_or_throw(staged, target, "publish");
    sync_dir(parent);
    crash_point("publish.after_rename");
    return;
  }
  if (exchange(staged, target)) {
    sync_dir(parent);
    crash_point("publish.after_exchange");
    remove_all_if_possible(staged);  // the old content; else recover_publish's later
    return;
  }
  std::string old = target + kOldInfix + unique_suffix();
  rename_or_throw(target, old, "move aside");
  sync_dir(parent);
  crash_point("publish.after_move_aside");
  if (::rename(staged.c_str(), target.c_str()) != 0) {
    std::string why = std::strerror(errno);
    if (::rename(old.c_str(), target.c_str()) != 0)  // put the old output back
      throw Error("cannot publish '" + target + "': " + why + "; the previous content is at '" +
                  old + "' (the next run to write '" + target + "' puts it back)");
    throw Error("cannot publish '" + target + "': " + why);
  }
  sync_dir(parent);
  crash_point("publish.after_rename");
  remove_all_if_possible(old);  // published: what is left of the old is recover_publish's
}

void recover_publish(const std::string& target) {
  struct stat st;
  auto olds = leftovers(target, kOldInfix);
  if (::lstat(target.c_str(), &st) != 0 && !olds.empty()) {
    // A crash between "moved aside" and "renamed in": the old content goes back. Several
    // would mean several such crashes in a row; the newest move is the latest content.
    std::string newest;
    struct timespec best = {0, 0};
    for (auto& o : olds) {
      struct stat ost;
      if (::lstat(o.c_str(), &ost) != 0) continue;
      if (newest.empty() || ost.st_ctim.tv_sec > best.tv_sec ||
          (ost.st_ctim.tv_sec == best.tv_sec && ost.st_ctim.tv_nsec > best.tv_nsec)) {
        newest = o;
        best = ost.st_ctim;
      }
    }
    if (!newest.empty()) {
      rename_or_throw(newest, target, "restore");
      sync_dir(parent_dir(target));
      olds = leftovers(target, kOldInfix);
    }
  }
  for (auto& o : olds) remove_all(o);
  for (auto& s : leftovers(target, kStagingInfix)) remove_all(s);
}

PublishLock::PublishLock(const std::string& target) {
  std::string parent = parent_dir(target);
  fd_ = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd_ < 0) throw Error("cannot open '" + parent + "': " + std::strerror(errno));
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    // A file system without locks (some network ones): publish unlocked, as before.
    ::close(fd_);
    fd_ = -1;
    break;
  }
}

PublishLock::~PublishLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace smallpond
