#pragma once
// Projection pushdown into shuffles: the columns of its input that a shuffle's readers use, so
// that its producers read and write only those. Found from DuckDB's own parse of each reader's
// query (every name it references that is an input column is kept) and checked by binding: the
// query over only those columns must give exactly the columns and types it gives over all of
// them. A query that reads every column (*, COLUMNS(...)), uses whole rows (hash(t), t::VARCHAR),
// reads a column by position (#n, AS t(a, b)), joins naturally, does not parse, or does not
// bind over the input's columns alone keeps them all: the binding check cannot see those (the
// types stay, the values change).

#include <optional>
#include <string>
#include <vector>

namespace smallpond {

class EngineConnection;

//! A query that reads the shuffle: its SQL over {0}, {1}, ... and, for each of those inputs, a
//! query giving its columns (no rows need be read), or "" where the input is the shuffle. A
//! join of two shuffles is a reader of each, with the other's columns.
struct ShuffleReader {
  std::string sql;
  std::vector<std::string> inputs;
  //! A query over {0} alone, the shuffle.
  static ShuffleReader over_shuffle_alone(const std::string& sql);
};

//! The input's columns (in the input's order) that the readers read, plus `keys` (columns the
//! shuffle itself needs), or nullopt (with the reason in *why) when that is all of them or
//! cannot be told. input_relation: a query giving the shuffle's input columns (no rows need be
//! read). A name that an other input has too is kept (a name says nothing of its table).
std::optional<std::vector<std::string>> columns_read(EngineConnection& con,
                                                     const std::vector<ShuffleReader>& readers,
                                                     const std::vector<std::string>& keys,
                                                     const std::string& input_relation,
                                                     std::string* why = nullptr);

}  // namespace smallpond
