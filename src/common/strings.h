#pragma once
// Small string helpers shared by the layers.

#include <string>
#include <vector>

#include "common/stable_hash.h"  // stable_hash, for the many that use it with these

namespace smallpond {

//! A SQL string literal: 'it''s'.
std::string sql_string(const std::string& text);
//! A SQL identifier: "my ""col""".
std::string sql_identifier(const std::string& name);
//! A SQL list of string literals: ['a', 'b'].
std::string sql_string_list(const std::vector<std::string>& items);
std::string join(const std::vector<std::string>& items, const std::string& separator);
bool ends_with(const std::string& text, const std::string& suffix);
//! The text with surrounding white space removed.
std::string trim(const std::string& text);
//! The text with ASCII letters in lower case (SQL names compare so).
std::string to_lower(std::string text);
//! The bytes that hex digits spell ("4142" -> "AB"); InternalError for anything else.
std::string from_hex(const std::string& hex);
//! Seconds as "1.23s" / "45ms".
std::string format_seconds(double seconds);

}  // namespace smallpond
