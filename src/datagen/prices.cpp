#include "datagen/prices.h"

#include "datagen/generated_dir.h"
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
  out.file_prefix = "prices";
  out.rows = spec.rows;
  out.files = spec.files;
  // Prices follow a per-ticker level plus noise; all values derive from the row number.
  std::string t = std::to_string(spec.tickers);
  return generate_dir(out, [&](int64_t begin, int64_t end) {
    return "SELECT 'T' || lpad((i % " + t +
           ")::VARCHAR, 5, '0') AS ticker, DATE '2000-01-03' + ((i // " + t +
           ") % 9000)::INTEGER AS date, round(10 + (hash(i % " + t +
           ") % 990) + (hash(i) % 10000) / 1000.0, 2)::DOUBLE AS price, "
           "(hash(i, 7) % 1000000)::BIGINT AS volume FROM range(" +
           std::to_string(begin) + ", " + std::to_string(end) + ") r(i)";
  });
}

}  // namespace smallpond
