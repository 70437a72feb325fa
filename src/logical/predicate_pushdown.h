#pragma once
// Predicate pushdown into shuffles: the part of a SQL step's WHERE clause that reads one of its
// inputs alone, as a filter over that input, so that a shuffle's producers drop the rows that
// cannot reach the result before they write them (logical/optimizer.h). The step's query is
// left whole: the filter only removes rows it would remove anyway.
//
// Decided from DuckDB's own parse of the query (json_serialize_sql), never from its text. The
// query must be one SELECT (no WITH, no set operation, no table sample) whose FROM is the input
// alone, or joins of plain relations in which the input appears once, on the kept side of every
// outer join above it (the left of a LEFT, SEMI or ANTI join, the right of a RIGHT join; neither
// side of a FULL join). A conjunct of the
// top-level WHERE is taken when every column it reads is the input's: qualified by the input's
// alias in a join, or, with the input alone in FROM, any name (checked by binding the filter
// over the input's columns, since WHERE may also name the select list's aliases); and when it
// has no subquery, window, aggregate or volatile function (random() per joined row is not
// random() per input row).

#include <string>

namespace smallpond {

class EngineConnection;

//! A query over {0} (input `index` of `query`, which reads `inputs` inputs) keeping the rows of
//! that input that may reach the query's result ("SELECT * FROM {0} WHERE ..."), or "" (with
//! *why) when no part of the WHERE clause can be told to read that input alone.
//! input_columns: a query giving that input's columns (no rows need be read), or "" when they
//! are not known (then only conjuncts qualified by the input's alias in a join are taken).
std::string filter_for_input(EngineConnection& con, const std::string& query, size_t index,
                             size_t inputs, const std::string& input_columns,
                             std::string* why = nullptr);

}  // namespace smallpond
