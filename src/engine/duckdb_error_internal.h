#pragma once
// smallpond's errors raised inside DuckDB callbacks (copy functions, scans) as DuckDB's own: an
// I/O error stays an IOException, which the task runner retries, and nothing becomes DuckDB's
// InternalException, which would end the database. Only engine/ includes this.

#include "duckdb.hpp"
#include "smallpond/error.h"

namespace smallpond {

template <typename F>
void as_duckdb_error(F&& body) {
  try {
    body();
  } catch (const Error& e) {
    if (e.code() == ErrorCode::Io) throw duckdb::IOException(e.what());
    throw duckdb::InvalidInputException(e.what());
  }
}

}  // namespace smallpond
