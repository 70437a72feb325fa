#include "datagen/prices.h"

#include <cstdio>

#include "common/strings.h"
#include "common/system.h"
#include "dataset/split.h"
#include "engine/engine.h"
#include "io/filesystem.h"
#include "io/publish.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

const char* const kSpecFile = ".prices-spec";

std::string spec_text(const PricesSpec& spec) {
  return "rows " + std::to_string(spec.rows) + ", files " + std::to_string(spec.files) +
         ", tickers " + std::to_string(spec.tickers) + "\n";
}

}  // namespace

bool generate_prices(const std::string& dir, const PricesSpec& spec) {
  if (spec.rows < 0 || spec.files < 1 || spec.tickers < 1)
    throw InvalidInputError("generate prices: rows must be >= 0, files and tickers >= 1");
  if (path_exists(dir) && !list_files_recursive(dir).empty()) {
    std::string marker = dir + "/" + kSpecFile;
    if (!path_exists(marker)) {
      bool only_prices = true;  // what versions before the spec file wrote: kept as it is
      for (auto& f : list_files_recursive(dir))
        only_prices = only_prices && f.compare(0, 7, "prices-") == 0;
      if (only_prices) return false;
      throw InvalidInputError("'" + dir +
                              "' exists and holds other files; choose a new or empty directory");
    }
    std::string had = read_file(marker);
    if (had != spec_text(spec))
      throw InvalidInputError("'" + dir + "' holds prices generated with other settings (" +
                              had.substr(0, had.size() - 1) + "); remove it or choose another");
    return false;  // the same data: nothing to do
  }
  std::string staging = dir + ".generating-" + unique_suffix();
  make_dirs(staging);
  try {
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
    write_file_atomic(staging + "/" + kSpecFile, spec_text(spec));
    replace_directory(staging, dir);
  } catch (...) {
    remove_all(staging);
    throw;
  }
  return true;
}

}  // namespace smallpond
