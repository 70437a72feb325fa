// DuckDB's parse trees, as the optimizer reads them.
#include "logical/sql_tree.h"

#include <gtest/gtest.h>

#include "engine/planning_engine.h"

namespace smallpond {
namespace {

TEST(SqlTree, AggregateNamesAreDuckDBs) {
  auto con = planning_engine().connect();
  for (const char* name : {"sum", "COUNT", "Min", "arg_max", "bit_xor", "string_agg", "quantile"})
    EXPECT_TRUE(is_aggregate_function(*con, name)) << name;
  for (const char* name : {"abs", "lower", "row_number", "coalesce", "not_a_function"})
    EXPECT_FALSE(is_aggregate_function(*con, name)) << name;
  // Asked of another engine, the answer is the same (the names are kept after the first call).
  Engine other;
  EXPECT_TRUE(is_aggregate_function(*other.connect(), "avg"));
  EXPECT_FALSE(is_aggregate_function(*other.connect(), "upper"));
}

}  // namespace
}  // namespace smallpond
