#pragma once
// Two-phase aggregation across a shuffle (a combiner): a GROUP BY query over a hash-partitioned
// input whose group keys include the partition keys can run as a partial aggregate in each
// producer, before the shuffle, and a final one after it; far fewer rows cross the shuffle.
//
// The query is read from DuckDB's own parse of it (json_serialize_sql), rewritten as a tree and
// printed back by DuckDB (json_deserialize_sql): never by patterns over SQL text. It splits
// only what it can prove equal: one SELECT over {0} with GROUP BY plain columns (the partition
// keys among them), no CTE, window, subquery, QUALIFY, sample or GROUPING SETS, and aggregates
// whose partial results cross the shuffle (Parquet) and combine exactly, into a result of the
// same type: count(*), count(x) (summed, cast back to BIGINT), min and max whatever the input's
// types, and, when the input's columns are known (a Parquet, CSV or JSON source), sum of
// integers (carried as DECIMAL(38,0): Parquet has no HUGEINT) and of decimals. WHERE goes to
// the partial aggregate; HAVING, ORDER BY and LIMIT stay in the final one; every output column
// keeps its name. Anything else leaves the query as it is: avg (DuckDB divides in long double),
// sums of floating-point numbers (they depend on the order of addition), DISTINCT aggregates,
// FILTER, other functions.

#include <optional>
#include <string>
#include <vector>

namespace smallpond {

class EngineConnection;

struct AggregateSplit {
  std::string partial;  //!< over {0}: the producer's rows -> group keys and partial results
  std::string final;    //!< over {0}: the partial rows of one partition -> the query's result
};

//! The split of `sql` (a query over {0}) whose input is hash-partitioned by `keys`, or nullopt
//! (with the reason in *why) when it cannot be split.
//! input_relation: a query giving the input's columns (no rows need be read), or "" when they
//! are not known; knowing them, exact sums (of integers and decimals) are split too, and the
//! split is checked to give the query's column names and types after the shuffle.
std::optional<AggregateSplit> split_aggregate(EngineConnection& con, const std::string& sql,
                                              const std::vector<std::string>& keys,
                                              const std::string& input_relation = "",
                                              std::string* why = nullptr);

}  // namespace smallpond
