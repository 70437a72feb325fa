#pragma once
// Projection pushdown into shuffles: the columns of its input that a shuffle's readers use, so
// that its producers read and write only those. Found from DuckDB's own parse of each reader's
// query (every name it references that is an input column is kept) and checked by binding: the
// query over only those columns must give exactly the columns and types it gives over all of
// them. A query that reads every column (*, COLUMNS(...)), does not parse, or does not bind
// over the input's columns alone keeps them all.

#include <optional>
#include <string>
#include <vector>

namespace smallpond {

class EngineConnection;

//! The input's columns (in the input's order) that the queries over {0} read, plus `keys`
//! (columns the shuffle itself needs), or nullopt (with the reason in *why) when that is all of
//! them or cannot be told. input_relation: a query giving the input's columns (no rows need be
//! read).
std::optional<std::vector<std::string>> columns_read(EngineConnection& con,
                                                     const std::vector<std::string>& queries,
                                                     const std::vector<std::string>& keys,
                                                     const std::string& input_relation,
                                                     std::string* why = nullptr);

}  // namespace smallpond
