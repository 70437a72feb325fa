#pragma once
// A task's inputs as names its SQL reads ({0} -> __input_0), without creating a view for each:
// DuckDB asks a replacement scan for a table name it does not know, and this one answers with
// the input's query as a subquery under that name. A view would be bound once when created and
// again where it is read; this is bound only where it is read (a third of a tiny task's
// query time went to creating its input view). Only engine/ includes this.

#include <map>
#include <mutex>
#include <string>

#include "duckdb.hpp"

namespace smallpond {

//! The names and queries an engine's SQL reads now. Thread safe.
class InputRelations {
 public:
  //! Replaces every name with `relations` (name -> a query).
  void set(std::map<std::string, std::string> relations);
  //! "" when the name is not an input.
  std::string query_of(const std::string& name) const;
  //! Makes `db` (its config, before the database starts) read the names of `relations`.
  static void register_scan(duckdb::DBConfig& config, duckdb::shared_ptr<InputRelations> relations);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> relations_;
};

}  // namespace smallpond
