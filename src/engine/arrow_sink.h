#pragma once
// ArrowSink over DuckDB: each Arrow array is handed to DuckDB's arrow_scan as a stream of one
// array and inserted into a temporary table. Only engine/ includes this.

#include <duckdb.hpp>
#include <memory>
#include <string>

#include "engine/engine.h"

namespace smallpond {

//! A sink writing into temporary table `table` through a connection of its own to db.
std::unique_ptr<ArrowSink> make_arrow_sink(duckdb::DuckDB& db, const std::string& table);

}  // namespace smallpond
