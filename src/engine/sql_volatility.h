#pragma once
// Whether a query may give another result when run again on the same input: it calls random(),
// uuid(), now(), nextval(), ..., samples rows (USING SAMPLE, TABLESAMPLE), or keeps rows by
// their arrival order (LIMIT, any_value, first, list, string_agg, row_number, ...). An output that
// would be recomputed (an in-memory output lost with its executor) must not come from such a
// query, or consumers could see two versions of one partition.
//
// Decided on DuckDB's own parse (json_serialize_sql); for statements it cannot serialise
// (CREATE, INSERT, ...) a word scan of the text stands in, erring on the volatile side.

#include <string>

#include "common/json.h"

namespace smallpond {

//! The output of json_serialize_sql for one statement.
bool serialized_query_is_volatile(const Json& tree);
//! The fallback: a volatile function name or SAMPLE as a word anywhere in the text.
bool text_may_be_volatile(const std::string& sql);

}  // namespace smallpond
