// C++ functions in a plan: they run in the executors (copies of this program, or the other MPI
// ranks), found there by their place in the program's code.
//
// usage: functions PRICES_DIR

#include <smallpond/smallpond.h>

#include <iostream>

int main(int argc, char** argv) {
  auto sp = smallpond::init();
  if (argc < 2) {
    std::cerr << "usage: functions PRICES_DIR\n";
    return 2;
  }
  try {
    auto df = sp.read_parquet(std::string(argv[1]) + "/*.parquet").repartition(4, "ticker");
    // Keep expensive rows, then derive a column in C++.
    df = df.filter([](const smallpond::Row& r) { return r["price"].as_double() > 500; });
    df = df.map([](const smallpond::Row& r) {
      smallpond::Row out;
      out["ticker"] = r["ticker"];
      out["notional"] =
          smallpond::Value(r["price"].as_double() * static_cast<double>(r["volume"].as_int()));
      return out;
    });
    auto totals = sp.partial_sql(
        "SELECT ticker, count(*) AS n, sum(notional) AS notional FROM {0} GROUP BY ticker "
        "ORDER BY ticker",
        df);
    std::cout << "rows: " << df.count() << "\n" << totals.take(5);
  } catch (const smallpond::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
