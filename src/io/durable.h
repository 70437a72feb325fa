#pragma once
// Durability: what is published must survive a power loss, so data is flushed to the disk
// (fsync) before the rename that makes it visible, and the directory that holds the rename is
// flushed after it. Errors name the path.

#include <cstdint>
#include <string>

namespace smallpond {

//! Flushes a file's data and metadata to the disk.
void sync_file(const std::string& path);
//! Flushes a directory's entries (a rename, a creation) to the disk.
void sync_dir(const std::string& path);
//! Flushes every regular file under dir, then dir and its subdirectories.
void sync_tree(const std::string& dir);
//! Asks the disk to start writing a file's data, without waiting for it: a later sync_file
//! then waits for less. Only a hint (nothing where the system has no such call); errors are
//! ignored, since the flush that counts is sync_file's. A file under min_bytes is left alone:
//! its flush costs little, and the call would cost more than it saves.
void start_writeback(const std::string& path, int64_t min_bytes = 0);
//! The directory that holds path.
std::string parent_dir(const std::string& path);
//! Creates dir and the directories above it that are missing, each flushed into its parent:
//! an output published into a new directory is not lost with that directory in a power loss.
void make_dirs_durable(const std::string& dir);

}  // namespace smallpond
