#include "dataset/slice_fingerprint.h"

#include <charconv>
#include <cstdio>

#include "smallpond/error.h"

namespace smallpond {

namespace {

// A whole decimal number, or false.
template <class Int>
bool parse_number(std::string_view text, Int& out, int base = 10) {
  if (text.empty()) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

SliceFingerprint::SliceFingerprint(std::string_view text) {
  if (text.empty()) return;
  size_t colon = text.find(':');
  size_t at = text.find('@');
  std::string_view size = text.substr(0, colon);
  std::string_view hash =
      colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1, at - colon - 1);
  bool ok =
      parse_number(size, size_) && size_ >= 0 && hash.size() == 16 && parse_number(hash, hash_, 16);
  if (ok && at != std::string_view::npos) ok = parse_number(text.substr(at + 1), time_);
  // Only text that reads back the same: a fingerprint is compared as its text.
  if (!ok || str() != text) {
    size_ = -1;
    throw InternalError("'" + std::string(text) + "' is not a file fingerprint (<size>:<hash>)");
  }
}

std::string SliceFingerprint::str() const {
  if (empty()) return "";
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(hash_));
  std::string out = std::to_string(size_) + ":" + hash;
  if (time_ != kNoTime) out += "@" + std::to_string(time_);
  return out;
}

}  // namespace smallpond
