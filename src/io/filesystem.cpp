#include "io/filesystem.h"

#include <fcntl.h>
#include <glob.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "common/os_error.h"
#include "common/parallel.h"
#include "common/system.h"
#include "smallpond/error.h"

namespace fs = std::filesystem;

namespace smallpond {

static std::string errno_text() { return std::strerror(errno); }

std::string absolute_path(const std::string& path, const std::string& base_dir) {
  fs::path p(path);
  if (p.is_relative()) p = (base_dir.empty() ? fs::current_path() : fs::path(base_dir)) / p;
  std::string out = p.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();  // "out/" is "out"
  return out;
}

FileInfo stat_file(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw_os_error("cannot read '" + path + "'", errno);
  FileInfo info;
  info.path = path;
  info.size = st.st_size;
  info.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return info;
}

std::vector<FileInfo> expand_path(const std::string& pattern, const std::string& extension,
                                  const std::string& base_dir, bool recursive) {
  std::string abs = absolute_path(pattern, base_dir);
  std::vector<std::string> paths;
  std::error_code ec;
  if (fs::is_directory(abs, ec)) {
    auto add = [&](const fs::directory_entry& entry) {
      if (entry.is_regular_file() && entry.path().extension() == extension)
        paths.push_back(entry.path().string());
    };
    if (recursive) {
      for (auto& entry : fs::recursive_directory_iterator(abs, ec)) add(entry);
    } else {
      for (auto& entry : fs::directory_iterator(abs, ec)) add(entry);
    }
  } else {
    glob_t g;
    std::memset(&g, 0, sizeof g);
    int rc = ::glob(abs.c_str(), GLOB_BRACE | GLOB_TILDE, nullptr, &g);
    if (rc == 0) paths.assign(g.gl_pathv, g.gl_pathv + g.gl_pathc);
    globfree(&g);
  }
  std::sort(paths.begin(), paths.end());
  // One stat a path, on every core (a million files take seconds even so): what is not a
  // regular file, or is gone by now, is not listed.
  std::vector<FileInfo> found(paths.size());
  parallel_ranges(paths.size(), cpu_count(), [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; i++) {
      struct stat st;
      if (::stat(paths[i].c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      found[i].path = std::move(paths[i]);
      found[i].size = st.st_size;
      found[i].mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    }
  });
  std::vector<FileInfo> out;
  out.reserve(found.size());
  for (auto& f : found)
    if (!f.path.empty()) out.push_back(std::move(f));
  return out;
}

bool path_exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

void make_dirs(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) throw Error("cannot create directory '" + path + "': " + ec.message());
}

void remove_all_if_possible(const std::string& path) noexcept {
  std::error_code ec;
  fs::remove_all(path, ec);
}

void remove_all(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) throw Error("cannot remove '" + path + "': " + ec.message());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_os_error("cannot read '" + path + "'", errno);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string unique_suffix() {
  static std::atomic<uint64_t> counter{0};
  return std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

// Writes what `produce` hands to its writer to a new file at path, flushed to disk first when
// `flush`; on failure errno says why and the file may be partly written.
static bool write_whole_file(const std::string& path, const FileProducer& produce, bool flush) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  auto close_failed = [fd] {
    int err = errno;
    ::close(fd);
    errno = err;
    return false;
  };
  int write_error = 0;  // the first write's failure; the producer goes on and may touch errno
  try {
    produce([&](std::string_view piece) {
      for (size_t done = 0; write_error == 0 && done < piece.size();) {
        ssize_t n = ::write(fd, piece.data() + done, piece.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
          write_error = errno;
        else
          done += static_cast<size_t>(n);
      }
    });
  } catch (...) {  // the producer's own failure
    ::close(fd);
    throw;
  }
  if (write_error != 0) {
    errno = write_error;
    return close_failed();
  }
  if (flush && ::fsync(fd) != 0 && errno != EINVAL) return close_failed();
  return ::close(fd) == 0;
}

static FileProducer whole(const std::string& content) {
  return [&content](const FileWriter& write) { write(content); };
}

void write_file(const std::string& path, const std::string& content) {
  if (!write_whole_file(path, whole(content), /*flush=*/false))
    throw Error("cannot write '" + path + "': " + errno_text());
}

void write_file_atomic(const std::string& path, const FileProducer& produce) {
  std::string tmp = path + ".tmp-" + unique_suffix();
  auto fail = [&](const std::string& what) {
    std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw Error("cannot " + what + " '" + path + "': " + why);
  };
  // Flushed before the rename: after a power loss the path holds the old or the new content.
  bool written = false;
  try {
    written = write_whole_file(tmp, produce, /*flush=*/true);
  } catch (...) {  // the producer's own failure: no temporary file is left behind
    ::unlink(tmp.c_str());
    throw;
  }
  if (!written) fail("write");
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("publish");
}

void write_file_atomic(const std::string& path, const std::string& content) {
  write_file_atomic(path, whole(content));
}

void link_or_copy(const std::string& src, const std::string& dst) {
  if (::link(src.c_str(), dst.c_str()) == 0) return;
  copy_file(src, dst);
}

void copy_file(const std::string& src, const std::string& dst) {
  // Our own loop rather than std::filesystem::copy_file, whose error for a full disk reads
  // "Input/output error": the user must see the real cause (ENOSPC, EDQUOT, ...).
  auto fail = [&](const std::string& what) {
    throw Error("cannot copy '" + src + "' to '" + dst + "': " + what + ": " + errno_text());
  };
  int in = ::open(src.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) fail("cannot open the source");
  int out = ::open(dst.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    int err = errno;
    ::close(in);
    errno = err;
    fail("cannot create the copy");
  }
  std::vector<char> buffer(1 << 20);
  while (true) {
    ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(in);
      if (n < 0) {
        ::close(out);
        errno = err;
        fail("cannot read");
      }
      // Some file systems (NFS) report a full disk only when the data is flushed or closed.
      if (::fsync(out) != 0 && errno != EINVAL) {
        err = errno;
        ::close(out);
        errno = err;
        fail("cannot write");
      }
      if (::close(out) != 0) fail("cannot write");
      return;
    }
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buffer.data() + done, n - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        int err = errno;
        ::close(in);
        ::close(out);
        errno = err;
        fail("cannot write");
      }
      done += w;
    }
  }
}

void link_file(const std::string& src, const std::string& dst) {
  if (::link(src.c_str(), dst.c_str()) == 0) return;
  if (::symlink(src.c_str(), dst.c_str()) == 0) return;
  throw Error("cannot link '" + dst + "' to '" + src + "': " + std::strerror(errno));
}

void rename_file(const std::string& src, const std::string& dst) {
  if (::rename(src.c_str(), dst.c_str()) != 0)
    throw Error("cannot rename '" + src + "' to '" + dst + "': " + std::strerror(errno));
}

std::vector<std::string> list_files_recursive(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file()) out.push_back(fs::relative(it->path(), dir).string());
  }
  if (ec) throw Error("cannot list '" + dir + "': " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace smallpond
