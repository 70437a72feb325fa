#pragma once
// Helpers shared by the tests: temporary directories, sample data, and DuckDB run directly as
// the independent truth that results are compared against.

#include <ostream>
#include <string>

#include "smallpond/table.h"

namespace smallpond {
//! Readable values in test failure messages.
inline void PrintTo(const Value& v, std::ostream* os) { *os << v.to_string(); }
}  // namespace smallpond

namespace smallpond::testing {

//! A fresh directory, removed with everything in it when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

//! A small prices table (ticker, date, price, volume): 120 000 rows, 6 Parquet files,
//! 50 tickers; generated once per test process.
const std::string& small_prices_dir();
constexpr int64_t kSmallPricesRows = 120000;

//! Writes `files` Parquet files item-00000.parquet, ... into dir with one BIGINT column
//! "item" holding 0 .. rows-1 in order, split evenly.
void write_items(const std::string& dir, int64_t rows, int files);

//! Runs sql in a fresh DuckDB (not through smallpond).
Table duckdb_query(const std::string& sql);
//! Rows sorted, for order-insensitive comparison.
Table sorted(Table table);
//! Writes text to a file.
void write_text(const std::string& path, const std::string& text);
//! Task attempts recorded so far in the task traces of a job directory (job_dir/log).
int traced_attempts(const std::string& job_dir);
//! Waits until a running job has recorded at least n attempts (or timeout_s passed): a fault
//! injected then hits the job in the middle, however fast or loaded the machine is.
void wait_for_attempts(const std::string& job_dir, int n, double timeout_s = 60);
//! Runs a shell command; returns its exit status and fills output with stdout+stderr.
int run_command(const std::string& command, std::string* output);

}  // namespace smallpond::testing
