#include "datagen/prices.h"

#include <cstdio>

#include "common/strings.h"
#include "common/system.h"
#include "datagen/generated_dir.h"
#include "dataset/split.h"
#include "engine/engine.h"
#include "smallpond/error.h"

namespace smallpond {

bool generate_prices(const std::string& dir, const PricesSpec& spec) {
  if (spec.rows < 0 || spec.files < 1 || spec.tickers < 1)
    throw InvalidInputError("generate prices: rows must be >= 0, files and tickers >= 1");
  GeneratedDir out;
  out.dir = dir;
  out.dataset = "prices";
  out.marker = ".prices-spec";
  out.settings = "rows " + std::to_string(spec.rows) + ", files " + std::to_string(spec.files) +
                 ", tickers " + std::to_string(spec.tickers);
  out.old_prefix = "prices-";
  return generate_dir(out, [&](const std::string& staging) {
    Engine engine;
    EngineLimits limits;
    limits.threads = cpu_count();
    auto con = engine.connect(limits);
    int64_t begin = 0;
    auto sizes = split_sizes(spec.rows, spec.files);
    for (int f = 0; f < spec.files; f++) {
      char name[64];
      std::snprintf(name, sizeof name, "/prices-%05d.parquet", f);
      int64_t end = begin + sizes[f];
      // Prices follow a per-ticker level plus noise; all values derive from the row number.
      std::string t = std::to_string(spec.tickers);
      con->query_int("COPY (SELECT 'T' || lpad((i % " + t +
                     ")::VARCHAR, 5, '0') AS ticker, "
                     "DATE '2000-01-03' + ((i // " +
                     t +
                     ") % 9000)::INTEGER AS date, "
                     "round(10 + (hash(i % " +
                     t +
                     ") % 990) + (hash(i) % 10000) / 1000.0, 2)::DOUBLE AS price, "
                     "(hash(i, 7) % 1000000)::BIGINT AS volume "
                     "FROM range(" +
                     std::to_string(begin) + ", " + std::to_string(end) + ") r(i)) TO " +
                     sql_string(staging + name) + " (FORMAT parquet)");
      begin = end;
    }
  });
}

}  // namespace smallpond
