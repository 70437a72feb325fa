#include "logical/sort_order.h"

#include "common/strings.h"
#include "logical/sql_tree.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

const char* const kRelation = "__sp_sorted";

// Why an ORDER BY expression cannot be a sort key, or "" when it can.
std::string refusal(const Json& e) {
  if (!e.is_object()) return "";
  std::string cls = e.value("class", "");
  if (cls == "STAR") return "ALL or * (name the columns)";
  if (cls == "CONSTANT") return "a constant or column number (name the column)";
  if (cls == "WINDOW") return "a window function";
  if (cls == "SUBQUERY") return "a subquery";
  for (auto& [k, v] : e.items()) {
    std::string why = refusal(v);
    if (!why.empty()) return why;
  }
  return "";
}

}  // namespace

std::string SortKey::modifiers() const {
  return std::string(descending ? "DESC" : "ASC") + (nulls_first ? " NULLS FIRST" : " NULLS LAST");
}

std::vector<SortKey> parse_sort_order(EngineConnection& con, const std::string& order_by,
                                      const std::string& where) {
  std::string prefix = std::string("SELECT * FROM ") + kRelation + " ORDER BY ";
  Json parsed = parse_sql_tree(con, prefix + order_by);
  if (parsed.value("error", true) || parsed["statements"].size() != 1)
    throw InvalidInputError(where + ": '" + order_by +
                            "' is not an ORDER BY list: " + parsed.value("error_message", ""));
  Json node = parsed["statements"][0]["node"];
  Json orders = Json::array();
  size_t modifiers = 0;
  for (auto& m : node["modifiers"]) {
    modifiers++;
    if (m.value("type", "") == "ORDER_MODIFIER") orders = m["orders"];
  }
  // Anything after the list (LIMIT, a second statement) is not an ORDER BY list.
  if (orders.empty() || modifiers != 1)
    throw InvalidInputError(where + ": '" + order_by + "' is not an ORDER BY list");
  std::vector<SortKey> keys;
  for (auto& o : orders) {
    std::string why = refusal(o["expression"]);
    if (!why.empty())
      throw InvalidInputError(where + ": cannot sort by " + why + " in '" + order_by + "'");
    SortKey key;
    key.descending = o.value("type", "") == "DESCENDING";
    key.nulls_first = o.value("null_order", "") == "NULLS FIRST";
    // The expression alone, printed by DuckDB: SELECT <expression> FROM <relation>.
    Json probe = node;
    probe["modifiers"] = Json::array();
    Json e = o["expression"];
    e["alias"] = "";
    probe["select_list"] = Json::array({e});
    std::string text = print_sql_tree(con, probe);
    std::string head = "SELECT ", tail = std::string(" FROM ") + kRelation;
    if (text.compare(0, head.size(), head) != 0 || text.size() < head.size() + tail.size() ||
        text.compare(text.size() - tail.size(), tail.size(), tail) != 0)
      throw InternalError("unexpected print of a sort key: " + text);
    key.expression = text.substr(head.size(), text.size() - head.size() - tail.size());
    keys.push_back(key);
  }
  return keys;
}

std::string order_by_sql(const std::vector<SortKey>& keys) {
  std::vector<std::string> items;
  for (auto& k : keys) items.push_back(k.expression + " " + k.modifiers());
  return join(items, ", ");
}

std::string sort_key_sql(const std::vector<SortKey>& keys, const std::string& tie_break) {
  std::vector<std::string> args;
  for (auto& k : keys) {
    args.push_back(k.expression);
    args.push_back(sql_string(k.modifiers()));
  }
  if (!tie_break.empty()) {
    args.push_back(tie_break);
    args.push_back(sql_string("ASC NULLS LAST"));
  }
  return "create_sort_key(" + join(args, ", ") + ")";
}

}  // namespace smallpond
