#include "exec/range_sample_input.h"

#include <algorithm>

namespace smallpond {

namespace {

const char* const kRowNumber = "file_row_number";

// Whole source Parquet files or row ranges of them: rows whose places are fixed.
bool places_are_fixed(const DataSet& input) {
  if (input.format != FileFormat::Parquet || input.files.empty()) return false;
  return std::all_of(input.files.begin(), input.files.end(),
                     [](const FileSlice& f) { return !f.in_memory() && !f.fingerprint.empty(); });
}

bool has(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

RangeSampleInput range_sample_input(EngineConnection& con, const DataSet& input, int64_t samples) {
  RangeSampleInput all{input.sql(), -1};
  if (!places_are_fixed(input) || samples <= 0) return all;
  // Parquet counts its rows from the files' footers.
  const int64_t rows = con.query_int("SELECT count(*) FROM (" + all.sql + ")");
  const int64_t every = rows / (samples * kRowsPerSample);
  if (every < 2) return all;
  DataSet numbered = input;
  const bool generated = has(input.generated_columns, kRowNumber);
  if (!generated) {
    // The reader cannot add the column to files that have one of that name.
    Table columns = con.query("SELECT * FROM (" + all.sql + ") LIMIT 0");
    if (has(columns.column_names, kRowNumber)) return all;
    numbered.generated_columns.push_back(kRowNumber);
    if (!numbered.columns.empty()) numbered.columns.push_back(kRowNumber);
  }
  // The reader skips the rows the filter drops before it reads their other columns.
  std::string sql = "SELECT " + std::string(generated ? "*" : "* EXCLUDE (file_row_number)") +
                    " FROM (" + numbered.sql() + ") WHERE hash(file_row_number) % " +
                    std::to_string(every) + " = 0";
  return {sql, rows};
}

}  // namespace smallpond
