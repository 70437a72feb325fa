#pragma once
// Base64, for binary data inside JSON messages.

#include <string>

namespace smallpond {

std::string base64_encode(const std::string& bytes);
//! Throws InternalError on malformed input.
std::string base64_decode(const std::string& text);

}  // namespace smallpond
