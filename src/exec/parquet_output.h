#pragma once
// How executors write task outputs as Parquet: the COPY options, one place for every task kind.
// An intermediate output (read only by later tasks: no sink publishes it and the program does
// not read it) is written uncompressed: on a shuffle that saves more CPU than the larger files
// cost (bench/README, "Intermediate data"). Outputs that are published keep DuckDB's default
// (snappy). Both can be set: SMALLPOND_INTERMEDIATE_COMPRESSION and
// SMALLPOND_PARQUET_COMPRESSION (uncompressed, snappy, zstd, lz4, lz4_raw, gzip, brotli), and
// SMALLPOND_PARQUET_ROW_GROUP_SIZE (rows; DuckDB's default is 122 880).

#include <string>

namespace smallpond {

//! The Parquet options of a COPY, without FORMAT: "COMPRESSION c, ROW_GROUP_SIZE n", either
//! part, or "" (DuckDB's defaults). Throws InvalidInputError for a bad setting, naming the
//! variable.
std::string parquet_write_options(bool intermediate);

//! "(FORMAT parquet[, COMPRESSION c][, ROW_GROUP_SIZE n][, extra])", e.g. extra
//! "PARTITION_BY (b)". Throws InvalidInputError for a bad setting, naming the variable.
std::string parquet_copy_options(bool intermediate, const std::string& extra = "");

}  // namespace smallpond
