// Counts rows per ticker of a prices dataset with smallpond-cpp, as a program of its own.
//   usage: tickers PRICES_DIR
#include <smallpond/smallpond.h>

#include <iostream>

int main(int argc, char** argv) {
  auto sp = smallpond::init();  // first: executors are copies of this program
  if (argc < 2) {
    std::cerr << "usage: tickers PRICES_DIR\n";
    return 2;
  }
  try {
    auto prices = sp.read_parquet(std::string(argv[1]) + "/*.parquet").repartition(2, "ticker");
    auto per_ticker =
        sp.partial_sql("SELECT ticker, count(*) AS n FROM {0} GROUP BY ticker", prices);
    int64_t total = 0;
    smallpond::Table t = per_ticker.to_table();
    for (auto& row : t.rows) total += row[1].as_int();
    std::cout << "tickers: " << t.num_rows() << "\nrows: " << total << "\n";
  } catch (const smallpond::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
