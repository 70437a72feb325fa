#pragma once
// What the engine's two table functions over serialised chunks share (__smallpond_memory over
// in-memory tables, __smallpond_chunks over chunk files). Only engine/ includes this.

#include <string>

#include "duckdb.hpp"
#include "duckdb/common/serializer/binary_serializer.hpp"
#include "duckdb/common/serializer/memory_stream.hpp"

namespace smallpond {

//! Appends an 8-byte little-endian length, then what `write` serialises (DuckDB's binary form).
template <class Write>
void put_serialized(std::string& out, Write write) {
  duckdb::MemoryStream stream;
  duckdb::BinarySerializer serializer(stream);
  serializer.Begin();
  write(serializer);
  serializer.End();
  uint64_t n = stream.GetPosition();
  for (int i = 0; i < 8; i++) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out.append(reinterpret_cast<const char*>(stream.GetData()), stream.GetPosition());
}

//! As UNION ALL would: each column of `types` widened to hold the values of `more` too. False
//! when they differ in their number of columns.
bool widen_types(duckdb::vector<duckdb::LogicalType>& types,
                 const duckdb::vector<duckdb::LogicalType>& more);

//! Gives `chunk` (of types `types`) as the scan's output: by reference when the types are the
//! output's (chunk must then live until the next call), else cast.
void emit_chunk(duckdb::ClientContext& context, duckdb::DataChunk& chunk,
                const duckdb::vector<duckdb::LogicalType>& types, duckdb::DataChunk& output);

//! Adds a table function to db's system catalog.
void register_table_function(duckdb::DuckDB& db, const duckdb::TableFunction& fn);

}  // namespace smallpond
