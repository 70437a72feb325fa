#pragma once
// What the mpi and srun tests share: a test directory with the sample prices linked in as
// prices/, pipeline files over it, and results compared with DuckDB on the whole input.

#include <gtest/gtest.h>

#include <string>

#include "support/test_env.h"

namespace smallpond::testing {

class PricesPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string cmd = "ln -s " + small_prices_dir() + " " + (dir / "prices");
    ASSERT_EQ(run_command(cmd, nullptr), 0);
  }
  //! Writes a pipeline file `name`: the prices source, then `steps` (YAML list items).
  std::string pipeline(const std::string& name, const std::string& steps) {
    write_text(dir / name,
               "steps:\n  - {name: prices, read_parquet: \"prices/*.parquet\"}\n" + steps);
    return dir / name;
  }
  //! The rows of the Parquet files in directory `out`, sorted.
  Table written(const std::string& out) {
    return sorted(duckdb_query("SELECT * FROM read_parquet('" + dir / out + "/*.parquet')"));
  }
  //! `query` (a select list) over the whole prices table, grouped by ticker, sorted.
  Table truth(const std::string& query) {
    return sorted(duckdb_query(query + " FROM read_parquet('" + small_prices_dir() +
                               "/*.parquet') GROUP BY ticker"));
  }
  //! The quick-start steps (hash by ticker into 3, per-partition stats, write to `out`).
  static std::string quickstart_steps(const std::string& out) {
    return "  - {name: by_ticker, repartition: {input: prices, npartitions: 3, hash_by: ticker}}\n"
           "  - {name: stats, sql: \"" +
           std::string(kStats) +
           " FROM {0} GROUP BY ticker\", inputs: [by_ticker]}\n"
           "  - {name: save, write_parquet: {input: stats, path: " +
           out + "}}\n";
  }
  static constexpr const char* kStats =
      "SELECT ticker, min(price) AS lo, max(price) AS hi, count(*) AS n";
  TempDir dir;
};

}  // namespace smallpond::testing
