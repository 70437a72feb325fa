#include "logical/projection_pushdown.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/json.h"
#include "common/strings.h"
#include "engine/engine.h"
#include "engine/sql_template.h"
#include "logical/sql_tree.h"

namespace smallpond {

namespace {

const char* const kInput = "__sp_in0";  // {0} while DuckDB reads the query

struct KeepAll {
  std::string why;
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Every name a column reference uses (each part of a qualified one), lower-cased.
void referenced_names(const Json& tree, std::set<std::string>& names) {
  if (tree.is_object()) {
    std::string cls = tree.value("class", "");
    if (cls == "STAR") throw KeepAll{"a query reads every column (*)"};
    if (cls == "COLUMN_REF")
      for (auto& part : tree["column_names"]) names.insert(lower(part.get<std::string>()));
  }
  if (tree.is_structured())
    for (auto& [key, value] : tree.items()) referenced_names(value, names);
}

using Columns = std::vector<std::pair<std::string, std::string>>;  // name, type

Columns describe(EngineConnection& con, const std::string& query) {
  Columns out;
  for (auto& row : con.query("DESCRIBE " + query).rows)
    out.emplace_back(row.at(0).as_string(), row.at(1).as_string());
  return out;
}

// The query with its input in place of {0}; KeepAll unless {0} is its only placeholder.
std::string over(const std::string& query, const std::string& relation) {
  if (count_sql_template_inputs(query) != 1 || !is_single_sql_statement(query))
    throw KeepAll{"a query is not one statement over {0} alone"};
  std::string text;
  try {
    text = expand_sql_template(query, {relation});
  } catch (const std::exception&) {
    throw KeepAll{"a query has placeholders other than {0}"};
  }
  while (!text.empty() &&
         (text.back() == ';' || std::isspace(static_cast<unsigned char>(text.back()))))
    text.pop_back();
  return text;
}

}  // namespace

std::optional<std::vector<std::string>> columns_read(EngineConnection& con,
                                                     const std::vector<std::string>& queries,
                                                     const std::vector<std::string>& keys,
                                                     const std::string& input_relation,
                                                     std::string* why) {
  try {
    Columns input = describe(con, input_relation);
    std::set<std::string> names;
    for (auto& k : keys) names.insert(lower(k));
    for (auto& q : queries) {
      Json parsed = parse_sql_tree(con, over(q, kInput));
      if (parsed.value("error", true)) throw KeepAll{"a query does not parse"};
      referenced_names(parsed["statements"], names);
    }
    std::vector<std::string> kept;
    for (auto& [name, type] : input)
      if (names.count(lower(name))) kept.push_back(name);
    if (kept.size() == input.size()) throw KeepAll{"the queries read every column"};
    if (kept.empty()) throw KeepAll{"the queries read no column by name"};
    std::vector<std::string> quoted;
    for (auto& k : kept) quoted.push_back(sql_identifier(k));
    std::string projected = "(SELECT " + join(quoted, ", ") + " FROM (" + input_relation + "))";
    for (auto& q : queries) {
      Columns want, got;
      try {
        want = describe(con, over(q, "(" + input_relation + ")"));
        got = describe(con, over(q, projected));
      } catch (const EngineError&) {
        throw KeepAll{"a query does not bind over the kept columns alone"};
      }
      if (got != want) throw KeepAll{"a query gives other columns over the kept ones"};
    }
    return kept;
  } catch (const KeepAll& k) {
    if (why) *why = k.why;
    return std::nullopt;
  } catch (const EngineError& e) {
    if (why) *why = e.what();
    return std::nullopt;
  }
}

}  // namespace smallpond
