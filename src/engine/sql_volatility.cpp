#include "engine/sql_volatility.h"

#include <cctype>
#include <set>

namespace smallpond {

namespace {

const std::set<std::string>& volatile_functions() {
  static const std::set<std::string> names = {
      "random", "setseed", "uuid", "gen_random_uuid", "uuidv4", "uuidv7", "nextval", "currval",
      "now", "current_timestamp", "get_current_timestamp", "transaction_timestamp", "current_time",
      "current_date", "today", "current_localtimestamp", "current_localtime", "get_current_time",
      "localtime", "localtimestamp", "txid_current",
      // The result depends on the order rows arrive in, which several threads do not fix.
      "any_value", "arbitrary", "first", "last", "list", "array_agg", "string_agg", "group_concat",
      "listagg", "row_number", "histogram"};
  return names;
}

// The SQL keywords that read the clock without parentheses (current_timestamp, current_date,
// localtime, ...): DuckDB's parse has them as a column of that name, which the binder turns
// into the function when no column has it. (A real column of that name errs on the safe side.)
bool clock_keyword(const Json& node) {
  auto type = node.find("type");
  if (type == node.end() || !type->is_string() || type->get<std::string>() != "COLUMN_REF")
    return false;
  auto names = node.find("column_names");
  if (names == node.end() || !names->is_array() || names->size() != 1 || !(*names)[0].is_string())
    return false;
  std::string name = (*names)[0].get<std::string>();
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name == "current_timestamp" || name == "current_date" || name == "current_time" ||
         name == "localtime" || name == "localtimestamp";
}

bool walk(const Json& node) {
  if (node.is_object()) {
    auto fn = node.find("function_name");
    if (fn != node.end() && fn->is_string() && volatile_functions().count(fn->get<std::string>()))
      return true;
    if (clock_keyword(node)) return true;
    auto sample = node.find("sample");
    if (sample != node.end() && !sample->is_null()) return true;
    // LIMIT without ORDER BY keeps whichever rows come first. (Conservative: with ORDER BY too.)
    auto type = node.find("type");
    if (type != node.end() && type->is_string() && type->get<std::string>() == "LIMIT_MODIFIER")
      return true;
    for (auto& [key, child] : node.items())
      if (walk(child)) return true;
  } else if (node.is_array()) {
    for (auto& child : node)
      if (walk(child)) return true;
  }
  return false;
}

}  // namespace

bool serialized_query_is_volatile(const Json& tree) { return walk(tree); }

bool text_may_be_volatile(const std::string& sql) {
  std::string word;
  auto check = [&] {
    bool hit = volatile_functions().count(word) || word == "sample" || word == "tablesample" ||
               word == "limit";
    word.clear();
    return hit;
  };
  for (char c : sql) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty() && check()) {
      return true;
    }
  }
  return !word.empty() && check();
}

}  // namespace smallpond
