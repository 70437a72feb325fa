#pragma once
// GraySort's data, as the sort benchmark's own tools make and check it: gensort writes records
// of 100 bytes (a 10-byte key, a 90-byte payload), valsort checks that a sorted output has every
// record in key order across its files in sequence, and the same records (count and checksum)
// as the input.
//
// Records are stored in Parquet, one row each: key BLOB (10 bytes), payload BLOB (90 bytes);
// order is unsigned byte order of the keys (BLOB comparison). The layout of a record is
// gensort's: binary records have 10 random key bytes, 0x00 0x11, the record number as 32 ASCII
// hex digits, 0x88 0x99 0xAA 0xBB, 48 filler bytes (12 random hex digits, each 4 times) and
// 0xCC 0xDD 0xEE 0xFF; ASCII records (--ascii) have 10 printable key characters, 2 spaces, the
// 32 hex digits, 2 spaces, 52 filler letters (13, each 4 times) and "\r\n". The random bits come
// from DuckDB's hash() of the record number, not from gensort's generator: the records are
// deterministic, but not byte for byte gensort's.

#include <cstdint>
#include <string>

namespace smallpond {

struct GensortSpec {
  int64_t records = 10'000'000;
  int files = 16;
  bool ascii = false;
};

//! Writes `records` records as `files` Parquet files (gensort-<k>.parquet) into dir, with the
//! contract of generate_prices (datagen/generated_dir.h): complete or not at all; false when
//! dir holds these records already.
bool generate_gensort(const std::string& dir, const GensortSpec& spec);

//! What valsort reports about a set of records.
struct SortCheck {
  int64_t records = 0;
  //! The sum of a 64-bit hash of every record, modulo 2^128, as a hex string: the same for the
  //! same records in any order.
  std::string checksum;
  int64_t duplicate_keys = 0;  //!< records whose key equals the one before
  int64_t malformed = 0;       //!< rows that are not a 10-byte key and a 90-byte payload
  bool ordered = true;
  //! When not ordered: the first record out of order ("file F, row R").
  std::string first_unordered;
};

//! Checks the Parquet files of dir (recursively), read in path order, as valsort does.
//! With check_order false only counts and sums (for an input).
SortCheck check_sorted(const std::string& dir, bool check_order = true);

}  // namespace smallpond
