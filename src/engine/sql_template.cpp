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
      for (char n : name) valid = valid && (std::isalnum(static_cast<unsigned char>(n)) || n == '_');
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
        if (it == names.end()) throw InvalidInputError("the query uses unknown placeholder {" + name + "}");
        out += it->second;
      });
  return out;
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

}  // namespace smallpond
