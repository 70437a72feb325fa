#pragma once
// A directory of generated data that appears complete or not at all, with a marker file that
// names the settings it was generated with, so that generating again with the same settings
// is a no-op and with other settings is refused (never a mix of both).

#include <cstdint>
#include <functional>
#include <string>

namespace smallpond {

struct GeneratedDir {
  std::string dir;
  std::string dataset;      //!< "prices", for messages
  std::string marker;       //!< the marker's file name in dir, e.g. ".prices-spec"
  std::string settings;     //!< the marker's content: the settings, one line
  std::string old_prefix;   //!< files of this prefix without a marker count as this data set
  std::string file_prefix;  //!< files are named <file_prefix>-<k>.parquet, k = 00000, ...
  int64_t rows = 0;         //!< split evenly over the files, in order
  int files = 1;
};

//! Fills `spec.dir` with spec.files Parquet files, file k holding rows_sql(begin, end) for its
//! range [begin, end) of the rows, written into a fresh staging directory that is then renamed
//! into place (an empty directory is replaced). Returns false, writing nothing, when the
//! directory holds this data set with the same settings already; throws InvalidInputError when
//! it holds anything else. Nothing is left behind on failure.
bool generate_dir(const GeneratedDir& spec,
                  const std::function<std::string(int64_t begin, int64_t end)>& rows_sql);

}  // namespace smallpond
