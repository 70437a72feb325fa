#include "common/strings.h"

#include <cctype>
#include <cstdio>

#include "smallpond/error.h"

namespace smallpond {

static std::string quote(const std::string& text, char q) {
  std::string out(1, q);
  for (char c : text) {
    out += c;
    if (c == q) out += q;
  }
  out += q;
  return out;
}

std::string sql_string(const std::string& text) { return quote(text, '\''); }
std::string sql_identifier(const std::string& name) { return quote(name, '"'); }

std::string sql_string_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); i++) {
    if (i) out += ", ";
    out += sql_string(items[i]);
  }
  return out + "]";
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); i++) {
    if (i) out += separator;
    out += items[i];
  }
  return out;
}

std::string trim(const std::string& text) {
  const char* ws = " \t\r\n";
  size_t b = text.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  size_t e = text.find_last_not_of(ws);
  return text.substr(b, e - b + 1);
}

std::string to_lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string format_seconds(double seconds) {
  char buf[32];
  if (seconds < 1)
    std::snprintf(buf, sizeof buf, "%.0fms", seconds * 1000);
  else
    std::snprintf(buf, sizeof buf, "%.2fs", seconds);
  return buf;
}

std::string from_hex(const std::string& hex) {
  auto digit = [&](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw InternalError("not a hex digit in '" + hex + "'");
  };
  if (hex.size() % 2) throw InternalError("odd number of hex digits in '" + hex + "'");
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); i++)
    out[i] = static_cast<char>(digit(hex[2 * i]) * 16 + digit(hex[2 * i + 1]));
  return out;
}

}  // namespace smallpond
