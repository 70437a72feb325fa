#include "engine/sql_template.h"

#include <cctype>

#include "smallpond/error.h"

namespace smallpond {

namespace {

// Calls on_placeholder(name) for each {name}; literal text goes to on_text.
template <class Text, class Placeholder>
void scan(const std::string& q, Text on_text, Placeholder on_placeholder) {
  for (size_t i = 0; i < q.size(); i++) {
    char c = q[i];
    if (c == '{' && i + 1 < q.size() && q[i + 1] == '{') {
      on_text('{');
      i++;
    } else if (c == '}' && i + 1 < q.size() && q[i + 1] == '}') {
      on_text('}');
      i++;
    } else if (c == '{') {
      size_t close = q.find('}', i);
      std::string name = close == std::string::npos ? "" : q.substr(i + 1, close - i - 1);
      bool valid = !name.empty();
      for (char n : name)
        valid = valid && (std::isalnum(static_cast<unsigned char>(n)) || n == '_');
      if (!valid)
        throw InvalidInputError("unescaped '{' at offset " + std::to_string(i) +
                                " of the query (write {{ for a literal brace)");
      on_placeholder(name);
      i = close;
    } else if (c == '}') {
      throw InvalidInputError("unescaped '}' at offset " + std::to_string(i) +
                              " of the query (write }} for a literal brace)");
    } else {
      on_text(c);
    }
  }
}

bool is_index(const std::string& name) {
  for (char c : name)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return !name.empty() && name.size() < 9;
}

}  // namespace

std::string expand_sql_template(const std::string& query, const std::vector<std::string>& inputs,
                                const std::map<std::string, std::string>& names) {
  std::string out;
  out.reserve(query.size() + 64);
  scan(
      query, [&](char c) { out += c; },
      [&](const std::string& name) {
        if (is_index(name)) {
          size_t idx = std::stoul(name);
          if (idx >= inputs.size())
            throw InvalidInputError("the query uses {" + name + "} but the step has " +
                                    std::to_string(inputs.size()) + " input(s)");
          out += inputs[idx];
          return;
        }
        auto it = names.find(name);
        if (it == names.end())
          throw InvalidInputError("the query uses unknown placeholder {" + name + "}");
        out += it->second;
      });
  return out;
}

std::string substitute_sql_input(const std::string& query, int index,
                                 const std::string& replacement) {
  std::string out;
  scan(
      query,
      [&](char c) {
        out += c;
        if (c == '{' || c == '}') out += c;  // keep the escape
      },
      [&](const std::string& name) {
        if (is_index(name) && std::stoi(name) == index)
          out += replacement;
        else
          out += "{" + name + "}";
      });
  return out;
}

bool is_single_sql_statement(const std::string& query) {
  size_t end = query.find_last_not_of(" \t\r\n;");
  if (end == std::string::npos) return false;
  for (size_t i = 0; i <= end; i++) {
    char c = query[i];
    if (c == '\'' || c == '"') {
      size_t close = query.find(c, i + 1);
      if (close == std::string::npos) return false;
      i = close;
    } else if (c == '-' && i + 1 <= end && query[i + 1] == '-') {
      i = query.find('\n', i);
      if (i == std::string::npos) return true;
    } else if (c == '/' && i + 1 <= end && query[i + 1] == '*') {
      size_t close = query.find("*/", i + 2);
      if (close == std::string::npos) return false;
      i = close + 1;
    } else if (c == ';') {
      return false;
    }
  }
  return true;
}

int count_sql_template_inputs(const std::string& query) {
  int n = 0;
  scan(
      query, [](char) {},
      [&](const std::string& name) {
        if (is_index(name)) n = std::max(n, static_cast<int>(std::stoul(name)) + 1);
      });
  return n;
}

int count_sql_input_uses(const std::string& query, int index) {
  int uses = 0;
  scan(
      query, [](char) {},
      [&](const std::string& name) {
        uses += is_index(name) && std::stoul(name) == static_cast<unsigned long>(index);
      });
  return uses;
}

std::string escape_sql_template(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '{' || c == '}') out += c;
  }
  return out;
}

}  // namespace smallpond
