#pragma once
// Row-local queries: a query over {0} whose every output row comes from one input row alone
// (a projection and a filter: SELECT expressions FROM {0} WHERE condition). Such a query gives
// the same rows over any split of its input, so it may run inside a shuffle's producers, on
// their slices, instead of as a step of its own over whole partitions (logical/optimizer.h):
// one write and read of the data less.
//
// Decided from DuckDB's own parse of the query (json_serialize_sql), never from its text: one
// SELECT over {0} alone (no join, WITH, subquery, set operation or table sample), no GROUP BY,
// HAVING, QUALIFY, window, aggregate, DISTINCT, ORDER BY or LIMIT anywhere in it.

#include <string>

namespace smallpond {

class EngineConnection;

//! Whether `sql` (a query over {0}) is row-local; when not, *why says what it has.
bool is_row_local(EngineConnection& con, const std::string& sql, std::string* why = nullptr);

}  // namespace smallpond
