#pragma once
// Publishing a directory in place of another, so that a reader (or a crash at any instant)
// sees the old content or the new, never none and never a mix.
//
//   <target>.staging-<suffix>   built beside the target by the caller, flushed here
//   <target>.old-<suffix>       the previous content, only where the file system cannot
//                               exchange two directories in one step (see below)
//
// Where the kernel and file system support it, renameat2(RENAME_EXCHANGE) swaps staging and
// target atomically and the old content is removed afterwards under the staging name. Where
// they do not, the target is moved aside to .old- first; a crash between the two renames
// leaves no target, and recover_publish() (run before the next publish to that target)
// renames the old content back.

#include <string>

namespace smallpond {

//! A name beside target for a directory that will replace it.
std::string staging_path_for(const std::string& target);

//! Replaces directory `target` (absent, or a directory or file) by directory `staged` (same
//! parent): flushes staged to disk, swaps, flushes the parent, removes the old content.
void replace_directory(const std::string& staged, const std::string& target);

//! Finishes what interrupted publishes to target left: restores the previous content when a
//! crash left no target but an .old- directory, then removes the .staging- and .old-
//! leftovers. Call with a PublishLock held.
void recover_publish(const std::string& target);

//! Serialises publishes into one directory across processes on this host (flock on the
//! parent directory), so that recover_publish never removes a live publish's staging.
class PublishLock {
 public:
  explicit PublishLock(const std::string& target);
  ~PublishLock();
  PublishLock(const PublishLock&) = delete;
  PublishLock& operator=(const PublishLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace smallpond
