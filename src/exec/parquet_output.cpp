#include "exec/parquet_output.h"

#include <cstdlib>
#include <vector>

#include "common/strings.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

// The codec a variable names; `fallback` when it is unset or empty ("": DuckDB's default).
std::string codec_from(const char* variable, const std::string& fallback) {
  const char* value = std::getenv(variable);
  if (!value || !*value) return fallback;
  std::string c = value;
  for (const char* known : {"uncompressed", "snappy", "zstd", "lz4", "lz4_raw", "gzip", "brotli"})
    if (c == known) return c;
  throw InvalidInputError(std::string(variable) + "='" + c +
                          "' is not one of uncompressed, snappy, zstd, lz4, lz4_raw, gzip, brotli");
}

}  // namespace

std::string parquet_write_options(bool intermediate) {
  std::vector<std::string> options;
  std::string codec = intermediate
                          ? codec_from("SMALLPOND_INTERMEDIATE_COMPRESSION", "uncompressed")
                          : codec_from("SMALLPOND_PARQUET_COMPRESSION", "");
  if (!codec.empty()) options.push_back("COMPRESSION " + codec);
  if (const char* rows = std::getenv("SMALLPOND_PARQUET_ROW_GROUP_SIZE"); rows && *rows) {
    char* end = nullptr;
    long long n = std::strtoll(rows, &end, 10);
    if (*end != '\0' || n <= 0)
      throw InvalidInputError("SMALLPOND_PARQUET_ROW_GROUP_SIZE='" + std::string(rows) +
                              "' is not a positive number of rows");
    options.push_back("ROW_GROUP_SIZE " + std::to_string(n));
  }
  return join(options, ", ");
}

std::string parquet_copy_options(bool intermediate, const std::string& extra) {
  std::string out = "(FORMAT parquet";
  std::string options = parquet_write_options(intermediate);
  if (!options.empty()) out += ", " + options;
  if (!extra.empty()) out += ", " + extra;
  return out + ")";
}

}  // namespace smallpond
