#pragma once
// A sort order (a SQL ORDER BY list) as DuckDB parses it, and the byte-comparable key that a
// global sort partitions by: DuckDB's create_sort_key, whose BLOBs compare (bytewise) as the
// ORDER BY compares the rows, whatever the types, directions and NULL orders.

#include <string>
#include <vector>

namespace smallpond {

class EngineConnection;

struct SortKey {
  std::string expression;  //!< as DuckDB prints it
  bool descending = false;
  bool nulls_first = false;  //!< DuckDB's default is NULLS LAST, ascending or descending

  //! "DESC NULLS LAST": the direction and NULL order, spelled out.
  std::string modifiers() const;
};

//! The keys of an ORDER BY list ("a, b DESC NULLS FIRST, lower(c)"). InvalidInputError (naming
//! `where`) when it does not parse, or orders by something that is not a row's expression:
//! ALL or *, a column number, a window function or a subquery.
std::vector<SortKey> parse_sort_order(EngineConnection& con, const std::string& order_by,
                                      const std::string& where);

//! The ORDER BY list with every direction and NULL order spelled out.
std::string order_by_sql(const std::vector<SortKey>& keys);

//! create_sort_key over the keys, then `tie_break` (an expression, ascending) when not empty.
std::string sort_key_sql(const std::vector<SortKey>& keys, const std::string& tie_break = "");

}  // namespace smallpond
