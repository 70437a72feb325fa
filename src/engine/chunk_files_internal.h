#pragma once
// Chunk files: task outputs that only later tasks of the same job read (the ranges of a global
// sort), in a form that costs less to write and to read than Parquet. A chunk file holds
// DuckDB's data chunks with each column as its raw values: no compression, statistics,
// dictionaries or pages, since it is written once, read once and deleted with the job. Writing
// the ranges of 2M 100-byte records as Parquet cost as much as sorting them. Only engine/
// includes this.
//
//   file   := "SPCHUNK1" header block* end
//   header := u64 length, DuckDB's binary serialisation of {names, types}
//   block  := u64 length (> 0), u32 rows (1 to 2048), u8 encoding, then
//             encoding 0 (only fixed-width, string and blob columns): per column, u8 nulls
//               (0: none; 1: a validity mask of ceil(rows / 64) u64 words follows), then the
//               values: rows values of the type's width, or rows u32 lengths then the bytes
//             encoding 1 (a chunk with any other type: lists, structs, ...): DuckDB's binary
//               serialisation of the chunk
//   end    := u64 0, u64 rows in all, "SPCHUNKE"
//
// Numbers are little-endian. SQL reads the files with
//
//   SELECT * FROM __smallpond_chunks(['a.chunks', 'b.chunks'])
//
// one after another as one relation (columns named as in the first file).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "duckdb.hpp"
#include "engine/bucket_rows_internal.h"

namespace smallpond {

//! Writes the rows of a query into n buckets, one chunk file per bucket that gets rows.
class ChunkBucketWriter {
 public:
  //! names/types: the columns written (the bucket column is not among them).
  ChunkBucketWriter(std::string dir, int n, duckdb::vector<std::string> names,
                    duckdb::vector<duckdb::LogicalType> types);
  ~ChunkBucketWriter();
  ChunkBucketWriter(const ChunkBucketWriter&) = delete;
  ChunkBucketWriter& operator=(const ChunkBucketWriter&) = delete;

  //! Appends the rows of chunk, whose column `bucket` (an INTEGER in [0, n)) says where each
  //! goes and whose other columns are the ones written, in order.
  void append(duckdb::DataChunk& chunk, duckdb::idx_t bucket);
  //! Writes what is buffered and ends every file; when no bucket got rows, writes the columns
  //! alone to schema_path(). Returns the rows written.
  int64_t finish();

  //! The file of bucket k ("<dir>/<k>.chunks"), and the schema-only file.
  std::string bucket_path(int k) const { return bucket_path(dir_, k); }
  std::string schema_path() const { return schema_path(dir_); }
  static std::string bucket_path(const std::string& dir, int k);
  static std::string schema_path(const std::string& dir);

 private:
  struct Bucket;
  void flush(Bucket& bucket, int k);
  static void write_to(const std::string& path, bool create,
                       std::initializer_list<std::string_view> parts);

  std::string dir_;
  duckdb::vector<std::string> names_;
  duckdb::vector<duckdb::LogicalType> types_;
  bool flat_ = true;    // every column has encoding 0
  std::string header_;  // magic and header, as every file starts
  std::string block_;   // the block being encoded (reused)
  std::vector<Bucket> buckets_;
  BucketRows rows_by_bucket_;  // reused by every append
  int64_t rows_ = 0;
};

//! Registers __smallpond_chunks in db. It reads files through DuckDB's file system, so the
//! sandbox's allowed paths apply to it as to read_parquet.
void register_chunk_file_scan(duckdb::DuckDB& db);

//! The copy format that writes chunk files by bucket (engine/chunk_copy.cpp):
//!   COPY (query) TO 'dir/name' (FORMAT __smallpond_chunks, BUCKETS n)
//! writes what a ChunkBucketWriter(dir, n, ...) would, the query's last column being the bucket.
constexpr const char* kChunkCopyFormat = "__smallpond_chunks";
void register_chunk_file_copy(duckdb::DuckDB& db);

}  // namespace smallpond
