#include "logical/projection_pushdown.h"

#include <algorithm>
#include <cctype>
#include <functional>
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

struct References {
  std::set<std::string> names;   // every part of every column reference, lower-cased
  std::set<std::string> single;  // unqualified references, lower-cased
  std::set<std::string> rows;    // names under which the query sees a whole row of {0}
};

// What a query's parse refers to: column names, join columns, the input's rows. Throws KeepAll
// where the columns read cannot be told from names: a star, a column by position, a natural join
// (it matches on every common column), the input's columns renamed by position.
void collect_references(const Json& tree, References& refs) {
  if (tree.is_object()) {
    std::string cls = tree_text(tree, "class");
    if (cls == "STAR") throw KeepAll{"a query reads every column (*)"};
    if (cls == "POSITIONAL_REFERENCE") throw KeepAll{"a query reads a column by position (#n)"};
    if (cls == "COLUMN_REF") {
      for (auto& part : tree["column_names"]) refs.names.insert(to_lower(part.get<std::string>()));
      if (tree["column_names"].size() == 1)
        refs.single.insert(to_lower(tree["column_names"][0].get<std::string>()));
    }
    std::string type = tree_text(tree, "type");
    if (type == "JOIN") {
      if (tree_text(tree, "ref_type") == "NATURAL")
        throw KeepAll{"a query joins naturally (on every common column)"};
      if (tree.contains("using_columns"))
        for (auto& c : tree["using_columns"]) refs.names.insert(to_lower(c.get<std::string>()));
    }
    if (type == "BASE_TABLE" && tree_text(tree, "table_name") == kInput) {
      if (tree.contains("column_name_alias") && !tree["column_name_alias"].empty())
        throw KeepAll{"a query renames the input's columns by position"};
      std::string alias = tree_text(tree, "alias");
      refs.rows.insert(to_lower(alias.empty() ? std::string(kInput) : alias));
    }
  }
  if (tree.is_structured())
    for (auto& [key, value] : tree.items()) collect_references(value, refs);
}

using Columns = std::vector<std::pair<std::string, std::string>>;  // name, type

Columns describe(EngineConnection& con, const std::string& query) {
  Columns out;
  for (auto& row : con.query("DESCRIBE " + query).rows)
    out.emplace_back(row.at(0).as_string(), row.at(1).as_string());
  return out;
}

// The reader's query with `shuffle` in place of the shuffle's placeholders and other(i) in place
// of input i's; KeepAll unless it is one statement over its inputs.
std::string over(const ShuffleReader& reader, const std::string& shuffle,
                 const std::function<std::string(size_t)>& other) {
  const std::string& query = reader.sql;
  int used = count_sql_template_inputs(query);
  if (used < 1 || static_cast<size_t>(used) > reader.inputs.size() ||
      !is_single_sql_statement(query))
    throw KeepAll{"a query is not one statement over its inputs"};
  std::vector<std::string> relations;
  for (size_t i = 0; i < reader.inputs.size(); i++)
    relations.push_back(reader.inputs[i].empty() ? shuffle : other(i));
  std::string text;
  try {
    text = expand_sql_template(query, relations);
  } catch (const std::exception&) {
    throw KeepAll{"a query has placeholders beyond its inputs"};
  }
  while (!text.empty() &&
         (text.back() == ';' || std::isspace(static_cast<unsigned char>(text.back()))))
    text.pop_back();
  return text;
}

}  // namespace

ShuffleReader ShuffleReader::over_shuffle_alone(const std::string& sql) { return {sql, {""}}; }

std::optional<std::vector<std::string>> columns_read(EngineConnection& con,
                                                     const std::vector<ShuffleReader>& readers,
                                                     const std::vector<std::string>& keys,
                                                     const std::string& input_relation,
                                                     std::string* why) {
  // While parsing, the other inputs are tables of their own names; while binding, their columns.
  auto named = [](size_t i) { return "__sp_other" + std::to_string(i); };
  try {
    Columns input = describe(con, input_relation);
    std::set<std::string> names;
    for (auto& k : keys) names.insert(to_lower(k));
    for (auto& r : readers) {
      Json parsed = parse_sql_tree(con, over(r, kInput, named));
      if (parsed.value("error", true)) throw KeepAll{"a query does not parse"};
      References refs;
      collect_references(parsed["statements"], refs);
      // A whole row's value (a hash of it, its text) depends on every column while its use
      // may bind over fewer all the same.
      for (auto& row : refs.rows)
        if (refs.single.count(row)) throw KeepAll{"a query uses whole rows of its input"};
      names.insert(refs.names.begin(), refs.names.end());
    }
    std::vector<std::string> kept;
    for (auto& [name, type] : input)
      if (names.count(to_lower(name))) kept.push_back(name);
    if (kept.size() == input.size()) throw KeepAll{"the queries read every column"};
    if (kept.empty()) throw KeepAll{"the queries read no column by name"};
    std::vector<std::string> quoted;
    for (auto& k : kept) quoted.push_back(sql_identifier(k));
    std::string projected = "(SELECT " + join(quoted, ", ") + " FROM (" + input_relation + "))";
    for (auto& r : readers) {
      auto others = [&](size_t i) { return "(" + r.inputs[i] + ")"; };
      Columns want, got;
      try {
        want = describe(con, over(r, "(" + input_relation + ")", others));
        got = describe(con, over(r, projected, others));
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
