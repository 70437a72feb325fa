#pragma once
// SQL as DuckDB's own parser sees it: a statement's syntax tree as JSON (json_serialize_sql)
// and a SELECT node printed back as SQL (json_deserialize_sql). Rewrites of user queries go
// through these trees, never through patterns over SQL text.

#include <optional>
#include <set>
#include <string>

#include "common/json.h"

namespace smallpond {

class EngineConnection;

//! json_serialize_sql's result for `sql`: {"error": bool, "statements": [{"node": ...}]}.
Json parse_sql_tree(EngineConnection& con, const std::string& sql);

//! The table name {0} reads as while DuckDB parses a query over one input.
inline constexpr const char* kSqlInput = "__sp_in0";

//! json_serialize_sql's statement node of `sql`, a query over {0} and no other placeholder
//! (braces that are not {0} are other inputs or escapes: their text is not SQL yet), parsed with
//! {0} as the table kSqlInput. nullopt, with *why, when it has other placeholders or is not
//! one statement DuckDB can parse.
std::optional<Json> parse_query_over_input(EngineConnection& con, const std::string& sql,
                                           std::string* why);

//! tree[key] when it is a string, else "" (in expression trees some fields, such as "type",
//! are objects).
std::string tree_text(const Json& tree, const char* key);

//! Whether DuckDB has an aggregate function of this name (any case). The names are DuckDB's
//! built-in ones, the same in every engine of the process (smallpond registers no aggregate):
//! asked of con once, then kept.
bool is_aggregate_function(EngineConnection& con, const std::string& name);

//! A SELECT node (from parse_sql_tree) printed as SQL by DuckDB.
std::string print_sql_tree(EngineConnection& con, const Json& select_node);

}  // namespace smallpond
