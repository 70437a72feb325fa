#pragma once
// "Did you mean ...?": the closest of some known words to a mistyped one.

#include <string>
#include <vector>

namespace smallpond {

//! The candidate closest to word (edit distance at most 2, or word a prefix of it), or "".
std::string closest_word(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace smallpond
