#pragma once
// In-memory task outputs: query results kept by name in the executor's engine, outside DuckDB's
// catalog, and the table function that reads them. Only engine/ includes this.
//
//   SELECT * FROM __smallpond_memory(['a', 'b', ...])
//
// scans the named tables one after another as one relation. Why not DuckDB tables and UNION ALL:
// CREATE TABLE AS (and finding its width in duckdb_tables()) cost more than the small tasks
// themselves, and a UNION ALL of many tables costs a pipeline per table (a GROUP BY over 200 of
// them took 12x the time of the same rows in one table) and fails beyond about 1000 tables
// (expression depth).
//
// A table is kept in DuckDB's binary serialisation of its data chunks: compact (a one-row
// result takes about 100 bytes, where a materialised result holds a 2048-row vector per
// column, about 200 KB), read back at about 400 MB/s, and already in the form that moves to
// another executor: export and import copy bytes.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "duckdb.hpp"

namespace smallpond {

//! One kept table: a header (names, types, rows) and its chunks, each serialised on its own,
//! in one byte string: [8-byte length, header][8-byte length, chunk]...
struct MemoryTable {
  duckdb::vector<std::string> names;
  duckdb::vector<duckdb::LogicalType> types;
  int64_t rows = 0;      //!< rows appended (not known for a parsed table)
  std::string data;      //!< the whole serialised table (what export sends)
  size_t chunks_at = 0;  //!< offset of the first chunk in data

  //! Starts a table with these columns; append() chunks to it.
  MemoryTable(duckdb::vector<std::string> names, duckdb::vector<duckdb::LogicalType> types);
  void append(duckdb::DataChunk& chunk);
  //! A table from exported bytes. Throws on malformed bytes.
  static std::shared_ptr<const MemoryTable> parse(std::string data);

  //! Reads the chunk at *offset into chunk (reset first) and moves the offset past it; false at
  //! the end.
  bool read_chunk(size_t* offset, duckdb::DataChunk& chunk) const;
};

//! The kept tables of one engine, by name. Thread safe. It is the table function's info.
class MemoryTables : public duckdb::TableFunctionInfo {
 public:
  void put(const std::string& name, std::shared_ptr<const MemoryTable> table);
  //! nullptr when absent.
  std::shared_ptr<const MemoryTable> get(const std::string& name) const;
  bool erase(const std::string& name);
  //! Registers __smallpond_memory in db, reading from `tables`.
  static void register_scan(duckdb::DuckDB& db, duckdb::shared_ptr<MemoryTables> tables);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const MemoryTable>> tables_;
};

}  // namespace smallpond
