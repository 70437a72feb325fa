// The smallpond quick start, in C++:
//   read Parquet -> hash-repartition by ticker into 3 partitions -> per-partition group-by ->
//   write Parquet, then print the result.
//
// usage: quickstart [PRICES_DIR] [OUTPUT_DIR]

#include <smallpond/smallpond.h>

#include <iostream>

int main(int argc, char** argv) {
  // First thing: in executor processes (copies of this program) init() serves tasks instead.
  auto sp = smallpond::init();
  std::string prices = argc > 1 ? argv[1] : "data/prices";
  std::string output = argc > 2 ? argv[2] : "output/quickstart";
  try {
    auto df = sp.read_parquet(prices + "/*.parquet");
    df = df.repartition(3, /*hash_by=*/"ticker");
    df = sp.partial_sql(
        "SELECT ticker, min(price) AS min_price, max(price) AS max_price, count(*) AS n "
        "FROM {0} GROUP BY ticker ORDER BY ticker",
        df);
    df.write_parquet(output);
    std::cout << "wrote " << output << "\n" << df.to_table();
  } catch (const smallpond::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
