#pragma once
// What a Batch is inside: a DuckDB data chunk (owned by the scan that fills it, or by the batch)
// with column names and the connection's settings for Arrow export. Only engine/ includes this.

#include <duckdb.hpp>
#include <memory>
#include <string>
#include <vector>

#include "smallpond/batch.h"

namespace smallpond {

struct Batch::Impl {
  duckdb::DataChunk* chunk = nullptr;        // valid while the batch is handed to a function
  std::unique_ptr<duckdb::DataChunk> owned;  // set when the batch holds its own rows
  std::vector<std::string> names;
  duckdb::ClientProperties properties;
};

//! A DuckDB value as a smallpond Value (engine.cpp).
Value to_value(const duckdb::Value& v);

}  // namespace smallpond
