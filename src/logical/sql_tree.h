#pragma once
// SQL as DuckDB's own parser sees it: a statement's syntax tree as JSON (json_serialize_sql)
// and a SELECT node printed back as SQL (json_deserialize_sql). Rewrites of user queries go
// through these trees, never through patterns over SQL text.

#include <string>

#include "common/json.h"

namespace smallpond {

class EngineConnection;

//! json_serialize_sql's result for `sql`: {"error": bool, "statements": [{"node": ...}]}.
Json parse_sql_tree(EngineConnection& con, const std::string& sql);

//! A SELECT node (from parse_sql_tree) printed as SQL by DuckDB.
std::string print_sql_tree(EngineConnection& con, const Json& select_node);

}  // namespace smallpond
