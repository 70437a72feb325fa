#pragma once
// The two pieces of a range partition that run inside DuckDB (plan/task_params.h RangeSample
// and RangeProduce): the sample of sort keys (range_sample.cpp), and the function that gives a
// row its range (range_partition.cpp). Only engine/ includes this.
//
// Rows are ordered by (sort key, tie). A row's tie is a hash of the whole row, so that many
// rows of one key can still be spread over several ranges. The sample reads only the keys: the
// j-th of the m rows of a key K is the pair (K, j), the same pairs whatever order the rows come
// in, and the pairs that hash lowest are kept, with a tie hashed from the pair. Both ties are
// uniform over 64 bits, so boundaries drawn from the sample split a frequent key's rows as
// evenly as the rows' own ties would. The producer computes a row's tie only when its key
// equals a boundary's.

#include <cstdint>
#include <string>
#include <vector>

#include "duckdb.hpp"
#include "engine/engine.h"

namespace smallpond {

class MemoryTables;

//! `name(key BLOB, column ANY, ...) -> INTEGER`: how many boundaries are <= (key, the row's
//! hash), the row being its columns (hash(column, ...), which is also the hash of the row as
//! one STRUCT). Columns as arguments of their own cost nothing; a STRUCT of them is built for
//! every row.
duckdb::ScalarFunction range_function(const std::string& name,
                                      std::vector<Engine::RangeBoundary> boundaries);

//! Runs `sql` (one BLOB column `key`, the sort key), keeps the `samples` rows whose (key, j)
//! pairs hash lowest (salted), and writes them as Parquet at path: (key BLOB, tie UBIGINT,
//! weight BIGINT), weight = input_rows * scale / samples kept (input_rows -1: the rows of
//! `sql`). Returns the rows kept.
int64_t write_range_sample(duckdb::Connection& con, MemoryTables& memory, const std::string& sql,
                           int64_t samples, uint64_t salt, int64_t scale, int64_t input_rows,
                           const std::string& path);

}  // namespace smallpond
