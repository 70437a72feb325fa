#pragma once
// Publishing a directory in place of another, so that a reader (or a crash at any instant)
// sees the old content or the new, never none and never a mix.
//
//   <target>.smallpond-staging-<suffix>   built beside the target by the caller, flushed here
//   <target>.smallpond-old-<suffix>       the previous content, only where the file system
//                                         cannot exchange two directories in one step
//
// (<suffix>: <pid>-<n>). Only entries with these names are ever taken for leftovers.
//
// Where the kernel and file system support it, renameat2(RENAME_EXCHANGE) swaps staging and
// target atomically and the old content is removed afterwards under the staging name. Where
// they do not, the target is moved aside to .smallpond-old- first; a crash between the renames
// leaves no target, and recover_publish() (run before the next publish to that target)
// renames the old content back.

#include <functional>
#include <string>

#include "smallpond/error.h"

namespace smallpond {

//! Why replacing the directory at a path would lose something, or "" when it would not.
using ReplaceCheck = std::function<std::string(const std::string& path)>;

//! replace_directory's check refused: nothing was changed.
struct ReplaceRefused : Error {
  explicit ReplaceRefused(const std::string& why) : Error(why) {}
};

//! A name beside target for a directory that will replace it.
std::string staging_path_for(const std::string& target);

//! Replaces directory `target` (absent, or a directory or file) by directory `staged` (same
//! parent): flushes staged to disk, swaps, flushes the parent, removes the old content. When
//! `refusal` is given it is asked about the target right before the swap; a reason throws
//! ReplaceRefused and nothing is changed (staged stays for the caller to remove).
void replace_directory(const std::string& staged, const std::string& target,
                       const ReplaceCheck& refusal = {});
//! replace_directory without its first step: for a `staged` already flushed (sync_tree), so
//! that several directories can be flushed first and swapped in one after another.
void swap_in(const std::string& staged, const std::string& target,
             const ReplaceCheck& refusal = {});

//! Finishes what interrupted publishes to target left: restores the previous content when a
//! crash left no target but a .smallpond-old- directory, then removes the .smallpond-staging-
//! and .smallpond-old- leftovers. Call with a PublishLock held.
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
