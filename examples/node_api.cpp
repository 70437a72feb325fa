// The Node API: the plan built node by node (docs/node-api.md). Per ticker: rows and total
// notional (price * volume, computed in a checkpointed C++ batch stream), written to OUT_DIR as
// Parquet with a .MANIFEST.txt, and the first rows printed.
//
// usage: node_api PRICES_DIR OUT_DIR

#include <smallpond/smallpond.h>

#include <iostream>

using namespace smallpond;

// Columnar in, rows out: ticker and notional of every row of the batch.
Table notional(const Batch& batch) {
  Table out;
  out.column_names = {"ticker", "notional"};
  out.column_types = {"VARCHAR", "DOUBLE"};
  size_t ticker = 0, price = 0, volume = 0;
  for (size_t c = 0; c < batch.num_columns(); c++) {
    const std::string& name = batch.column_names()[c];
    if (name == "ticker") ticker = c;
    if (name == "price") price = c;
    if (name == "volume") volume = c;
  }
  for (size_t r = 0; r < batch.num_rows(); r++)
    out.rows.push_back(
        {batch.value(ticker, r), Value(batch.value(price, r).as_double() *
                                       static_cast<double>(batch.value(volume, r).as_int()))});
  return out;
}

int main(int argc, char** argv) {
  Session sp = init();
  if (argc < 3) {
    std::cerr << "usage: node_api PRICES_DIR OUT_DIR\n";
    return 2;
  }
  try {
    auto prices = nodes::parquet_source(sp, {argv[1]});
    PartitionOptions outer;
    outer.dimension = "a";
    PartitionOptions inner;
    inner.dimension = "b";
    inner.nested = true;
    auto a = nodes::hash_partition(prices, 3, {"ticker"}, outer);
    auto ab = nodes::hash_partition(a, 2, {"ticker", "date"}, inner);  // 3 x 2 partitions
    StreamOptions stream;
    stream.batch_size = 50000;
    stream.checkpoint_seconds = 10;
    auto values = nodes::batch_stream(ab, notional, stream);
    auto totals = nodes::sql_engine(
        {nodes::consolidate(values, "b")},
        "SELECT ticker, count(*) AS n, sum(notional) AS notional FROM {0} GROUP BY ticker");
    auto sink = nodes::data_sink(totals.named("totals"), argv[2], SinkType::Copy);
    JobReport report = nodes::run({sink});
    std::cout << "steps: " << report.steps.size() << "\n"
              << totals.to_dataframe().partial_sort("ticker").take(5);
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
