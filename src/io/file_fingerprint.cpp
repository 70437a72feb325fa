#include "io/file_fingerprint.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "common/os_error.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

constexpr int64_t kEdgeBytes = 64 * 1024;
constexpr int64_t kMaxFooterBytes = 256LL << 20;  // sanity bound on a Parquet footer's length

class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) fail();
  }
  ~Reader() {
    if (fd_ >= 0) ::close(fd_);
  }
  int64_t size() { return stat().st_size; }
  struct stat stat() {
    struct stat st;
    if (::fstat(fd_, &st) != 0) fail();
    return st;
  }
  std::string read(int64_t offset, int64_t length) {
    std::string out(static_cast<size_t>(length), '\0');
    int64_t done = 0;
    while (done < length) {
      ssize_t n = ::pread(fd_, out.data() + done, length - done, offset + done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail();
      if (n == 0) break;  // shorter than stat said: changing under us
      done += n;
    }
    out.resize(static_cast<size_t>(done));
    return out;
  }

 private:
  [[noreturn]] void fail() { throw_os_error("cannot read '" + path_ + "'", errno); }
  std::string path_;
  int fd_ = -1;
};

std::string hex64(const std::string& bytes) {
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(XXH3_64bits(bytes.data(), bytes.size())));
  return hex;
}

// The last min(size, kEdgeBytes) bytes of the file: read first, as they hold a Parquet file's
// footer (in one read, for all but the largest footers) and all of a small file.
std::string read_tail(Reader& reader, int64_t size) {
  int64_t length = std::min(size, kEdgeBytes);
  return reader.read(size - length, length);
}

// The Parquet footer (with the magic at both ends), or "" when the file is not whole Parquet;
// tail is read_tail's.
std::string parquet_footer(Reader& reader, int64_t size, const std::string& tail) {
  int64_t have = static_cast<int64_t>(tail.size());
  if (size < 12 || have < 8 || tail.compare(have - 4, 4, "PAR1") != 0) return "";
  uint32_t footer = 0;
  std::memcpy(&footer, tail.data() + have - 8, 4);  // little-endian, as Parquet writes it
  int64_t length = static_cast<int64_t>(footer) + 8;
  if (length > size - 4 || length > kMaxFooterBytes) return "";
  std::string head = have == size ? tail.substr(0, 4) : reader.read(0, 4);
  if (head != "PAR1") return "";
  return head + (length <= have ? tail.substr(have - length) : reader.read(size - length, length));
}

}  // namespace

std::string to_string(const FileFingerprint& fp) { return std::to_string(fp.size) + ":" + fp.hash; }

FileFingerprint input_fingerprint(const std::string& path) {
  Reader reader(path);
  struct stat st = reader.stat();
  FileFingerprint fp;
  fp.size = st.st_size;
  std::string mtime =
      "@" + std::to_string(int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec);
  std::string tail = read_tail(reader, fp.size);
  std::string bytes = parquet_footer(reader, fp.size, tail);
  if (!bytes.empty()) {
    fp.hash = hex64(bytes) + mtime;
  } else if (fp.size <= kWholeHashBytes) {
    fp.hash = hex64(static_cast<int64_t>(tail.size()) == fp.size ? tail : reader.read(0, fp.size));
  } else {
    fp.hash = hex64(reader.read(0, kEdgeBytes) + tail) + mtime;
  }
  return fp;
}

FileFingerprint file_fingerprint(const std::string& path) {
  Reader reader(path);
  FileFingerprint fp;
  fp.size = reader.size();
  std::string tail = read_tail(reader, fp.size);
  std::string bytes = parquet_footer(reader, fp.size, tail);
  if (bytes.empty()) {  // not (a whole) Parquet file: its edges
    if (fp.size <= 2 * kEdgeBytes) {
      bytes = reader.read(0, fp.size);
    } else {
      bytes = reader.read(0, kEdgeBytes) + tail;
    }
  }
  fp.hash = hex64(bytes);
  return fp;
}

}  // namespace smallpond
