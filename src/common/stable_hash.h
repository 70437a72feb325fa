#pragma once
// Stable 128-bit hashes (XXH3) as 32 hex digits: task keys and other identities that must not
// change between runs, machines or versions of this program.

#include <memory>
#include <string>
#include <string_view>

#include "common/json.h"

namespace smallpond {

//! The hash of text.
std::string stable_hash(std::string_view text);

//! The same hash over text given in pieces: stable_hash(a + b) == (StableHasher() << a << b).hex().
//! A JSON value goes in as its dump() without the text being made (a task's parameters may list
//! a million files).
class StableHasher {
 public:
  StableHasher();
  ~StableHasher();
  StableHasher(const StableHasher&) = delete;
  StableHasher& operator=(const StableHasher&) = delete;
  StableHasher& operator<<(std::string_view text);
  StableHasher& operator<<(char c) { return *this << std::string_view(&c, 1); }
  //! json.dump()'s text, hashed as it is made.
  StableHasher& add_json(const Json& json);
  std::string hex() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace smallpond
