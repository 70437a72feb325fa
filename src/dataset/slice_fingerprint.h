#pragma once
// A source file's fingerprint as a data set carries it: the text "<size>:<hash>" of
// io/file_fingerprint.h (the hash being 16 hex digits, then "@<modification time>" for files
// whose content is not hashed whole), held as numbers. As strings, the fingerprints of a
// million files took about 80 bytes each, in every copy of the file list.

#include <climits>
#include <cstdint>
#include <string>
#include <string_view>

namespace smallpond {

class SliceFingerprint {
 public:
  SliceFingerprint() = default;  //!< none
  //! From its text; "" is none. Implicit: a fingerprint stands for its text. Throws
  //! InternalError for text that is not one (it must read back as the same text).
  SliceFingerprint(std::string_view text);  // NOLINT(google-explicit-constructor)
  SliceFingerprint(const std::string& text) : SliceFingerprint(std::string_view(text)) {}
  SliceFingerprint(const char* text) : SliceFingerprint(std::string_view(text)) {}

  bool empty() const { return size_ < 0; }
  //! The text it was made from ("" for none).
  std::string str() const;
  bool operator==(const SliceFingerprint& o) const {
    return size_ == o.size_ && hash_ == o.hash_ && time_ == o.time_;
  }
  bool operator!=(const SliceFingerprint& o) const { return !(*this == o); }

 private:
  static constexpr int64_t kNoTime = INT64_MIN;
  int64_t size_ = -1;
  uint64_t hash_ = 0;
  int64_t time_ = kNoTime;  // "@<time>"; 24 bytes in all, less than a std::string
};

}  // namespace smallpond
