#pragma once
// A file's fingerprint: what a reader checks, cheaply, to know that a file is still the one
// that was written. For a Parquet file it is a hash of the header magic and the whole footer
// (schema, row groups with their offsets, sizes and statistics), which differs between any
// two outputs of different content in practice and is read with one small pread; for other
// files, of the first and last 64 KiB. Together with the size it catches truncated,
// replaced and swapped files; it does not catch a flipped bit in the middle of a data page
// (Parquet's own page checksums, where written, do).

#include <cstdint>
#include <string>

namespace smallpond {

struct FileFingerprint {
  int64_t size = 0;
  std::string hash;  //!< 16 hex digits
  bool operator==(const FileFingerprint& o) const { return size == o.size && hash == o.hash; }
  bool operator!=(const FileFingerprint& o) const { return !(*this == o); }
};

//! Throws Error naming the path when the file cannot be read.
FileFingerprint file_fingerprint(const std::string& path);

//! An input file's identity for task keys and for the check that it did not change while a
//! job read it: a Parquet file's footer hash and modification time (a rewrite that keeps the
//! size, the time and the footer — same row groups, sizes and statistics — goes unnoticed);
//! another file's hash of all its bytes up to kWholeHashBytes; past that, its edges and its
//! modification time (a change in its middle that keeps its size and time goes unnoticed).
FileFingerprint input_fingerprint(const std::string& path);
constexpr int64_t kWholeHashBytes = 16LL << 20;
//! "<size>:<hash>", as data set descriptions carry it.
std::string to_string(const FileFingerprint& fp);

}  // namespace smallpond
