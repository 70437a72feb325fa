#include "io/durable.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "io/filesystem.h"
#include "smallpond/error.h"

namespace fs = std::filesystem;

namespace smallpond {

static void sync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw Error("cannot open '" + path + "' to flush it: " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  // EINVAL: the file system cannot flush this kind of file (some do not for directories).
  if (rc != 0 && err != EINVAL)
    throw Error("cannot flush '" + path + "' to disk: " + std::strerror(err));
}

void sync_file(const std::string& path) { sync_path(path, O_RDONLY); }

void sync_dir(const std::string& path) { sync_path(path, O_RDONLY | O_DIRECTORY); }

void make_dirs_durable(const std::string& dir) {
  std::vector<std::string> missing;  // deepest first
  std::error_code ec;
  for (std::string p = absolute_path(dir); !fs::exists(p, ec); p = parent_dir(p)) {
    if (ec) throw Error("cannot read '" + p + "': " + ec.message());
    missing.push_back(p);
    if (p == parent_dir(p)) break;
  }
  make_dirs(dir);
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) sync_dir(parent_dir(*it));
}

void sync_tree(const std::string& dir) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_symlink()) continue;
    if (it->is_regular_file())
      sync_file(it->path().string());
    else if (it->is_directory())
      sync_dir(it->path().string());
  }
  if (ec) throw Error("cannot list '" + dir + "': " + ec.message());
  sync_dir(dir);
}

void start_writeback(const std::string& path, int64_t min_bytes) {
#ifdef __linux__
  struct stat st;
  if (min_bytes > 0 && (::stat(path.c_str(), &st) != 0 || st.st_size < min_bytes)) return;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  ::close(fd);
#else
  (void)path;
  (void)min_bytes;
#endif
}

std::string parent_dir(const std::string& path) {
  std::string p = fs::path(path).parent_path().string();
  return p.empty() ? "." : p;
}

}  // namespace smallpond
