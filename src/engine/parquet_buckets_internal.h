#pragma once
// Parquet files by bucket, written by DuckDB's own Parquet writer without DuckDB's
// `COPY ... PARTITION_BY`:
//
//   COPY (query) TO 'dir/name' (FORMAT __smallpond_parquet_buckets, BUCKETS n[, COMPRESSION c,
//        ROW_GROUP_SIZE r, any other Parquet option])
//
// The query's last column, an INTEGER in [0, n), is each row's bucket; its other columns go to
// dir/<k>.parquet for each bucket k that gets rows ('name' is not written). When no bucket gets
// rows, dir/schema.parquet holds the columns alone. The files are what `FORMAT parquet` writes
// for the same rows (same types, options and codec), only split by bucket.
//
// Why not PARTITION_BY: DuckDB first copies every row into a partitioned buffer, then copies
// each partition's rows into its Parquet writer's buffer. Here each chunk's rows are grouped by
// bucket and handed to that bucket's writer directly: one copy less. Splitting 5M rows (4
// columns) into 16 files took 0.82-0.90 s against 1.11-1.28 s with PARTITION_BY and 0.78-0.84 s
// for one plain file (one thread, bench/README).
//
// Memory stays what PARTITION_BY would hold: each thread buffers at most DuckDB's
// partitioned_write_flush_threshold rows in its buckets before handing them to the shared
// writers, which keep less than half a row group per bucket. Each bucket keeps a file open, so
// callers use it for a bounded n (DuckDB's PARTITION_BY keeps at most
// partitioned_write_max_open_files open). Only engine/ includes this.

#include <string>

#include "duckdb.hpp"

namespace smallpond {

constexpr const char* kParquetBucketsFormat = "__smallpond_parquet_buckets";

//! The file of bucket k, and the file of the columns alone.
std::string parquet_bucket_path(const std::string& dir, int k);
std::string parquet_bucket_schema_path(const std::string& dir);

void register_parquet_bucket_copy(duckdb::DuckDB& db);

}  // namespace smallpond
