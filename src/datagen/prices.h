#pragma once
// Sample data for the quick start and the benchmarks.

#include <cstdint>
#include <string>

namespace smallpond {

struct PricesSpec {
  int64_t rows = 5'000'000;
  int files = 10;
  int tickers = 2000;
};

//! Writes a "prices" table (ticker VARCHAR, date DATE, price DOUBLE, volume BIGINT) as
//! `files` Parquet files into dir, deterministically, with a .prices-spec file naming the
//! settings. The directory appears complete or not at all. An empty dir is filled. Returns
//! false (and writes nothing) when dir holds this dataset with the same settings already;
//! throws InvalidInputError when dir holds anything else (other settings, other files).
bool generate_prices(const std::string& dir, const PricesSpec& spec);

}  // namespace smallpond
