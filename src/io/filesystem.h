#pragma once
// File system helpers: path expansion, atomic writes, publishing by rename, linking.
// All functions throw smallpond::Error subclasses whose message names the path.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace smallpond {

struct FileInfo {
  std::string path;  //!< absolute
  int64_t size = 0;
  int64_t mtime_ns = 0;
};

//! Expands a path, a glob or a directory into the sorted list of matching regular files.
//! A directory stands for the files in it that end in `extension` (e.g. ".parquet").
//! Relative paths resolve against base_dir (empty: the current directory).
//! With recursive, a directory includes its subdirectories. Returns an empty list when
//! nothing matches.
std::vector<FileInfo> expand_path(const std::string& pattern, const std::string& extension,
                                  const std::string& base_dir = "", bool recursive = false);

//! An absolute, lexically normalised form of path (resolved against base_dir when relative),
//! without a trailing separator.
std::string absolute_path(const std::string& path, const std::string& base_dir = "");

FileInfo stat_file(const std::string& path);
bool path_exists(const std::string& path);
void make_dirs(const std::string& path);
void remove_all(const std::string& path);
//! remove_all for what may stay when it cannot go (errors ignored): a leftover that a later
//! run removes.
void remove_all_if_possible(const std::string& path) noexcept;
std::string read_file(const std::string& path);
//! Writes content to path (created or truncated), not flushed: for files in a directory that
//! is flushed and renamed into place as a whole.
void write_file(const std::string& path, const std::string& content);
//! Writes content to a temporary file beside path, flushes it, then renames it over path.
void write_file_atomic(const std::string& path, const std::string& content);
//! The same for content made piece by piece (a large file need not be held whole in memory):
//! `produce` hands each piece, in order, to the writer it is given. What it throws leaves path
//! as it was.
using FileWriter = std::function<void(std::string_view)>;
using FileProducer = std::function<void(const FileWriter&)>;
void write_file_atomic(const std::string& path, const FileProducer& produce);
//! Hard-links src to dst, or copies it when a link is impossible (another file system).
void link_or_copy(const std::string& src, const std::string& dst);
//! Copies the bytes of src to dst.
void copy_file(const std::string& src, const std::string& dst);
//! Hard-links src to dst, or makes dst a symbolic link to src when a hard link is impossible.
void link_file(const std::string& src, const std::string& dst);
//! Renames src to dst (replacing a file dst); throws Error naming both on failure.
void rename_file(const std::string& src, const std::string& dst);
//! Regular files under dir, as paths relative to dir, sorted.
std::vector<std::string> list_files_recursive(const std::string& dir);
//! A name that no other process on this host uses now: "<pid>-<counter>".
std::string unique_suffix();

}  // namespace smallpond
