#pragma once
// DataSet: a serialisable description of data on the (shared) file system: a list of files,
// or row ranges of files, in one format with reading options. Tasks exchange DataSets, never
// rows; a DataSet turns into the SQL that reads it (sql()).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/json.h"
#include "dataset/slice_fingerprint.h"

namespace smallpond {

//! Chunks: files that only later tasks of the same job read (engine/chunk_files_internal.h).
enum class FileFormat { Parquet, Csv, Json, Chunks };
const char* format_name(FileFormat format);
//! ".parquet", ".csv", ".json": the files a directory stands for.
const char* file_extension(FileFormat format);

//! A whole file, or rows [begin, end) of it; or a whole in-memory table (a small task output
//! kept in the DuckDB of the executor that computed it). Which executor holds a table is the
//! scheduler's knowledge (exec/memory_ledger.h), not the data set's: an executor reads the
//! tables it was given under their names.
struct FileSlice {
  FileSlice() = default;
  FileSlice(std::string path, int64_t begin = 0, int64_t end = -1,
            SliceFingerprint fingerprint = {})
      : path(std::move(path)), begin(begin), end(end), fingerprint(std::move(fingerprint)) {}
  static FileSlice in_memory_table(std::string name) {
    FileSlice s;
    s.memory_table = std::move(name);
    return s;
  }
  std::string path;          //!< the file; empty for an in-memory table
  std::string memory_table;  //!< the in-memory table; empty for a file
  int64_t begin = 0;
  int64_t end = -1;  //!< -1: to the end of the file
  //! A source file's content when the plan was made ("<size>:<hash>", io/file_fingerprint.h),
  //! checked by the tasks that read it; empty for files the job wrote itself.
  SliceFingerprint fingerprint;
  bool in_memory() const { return !memory_table.empty(); }
  bool whole() const { return begin == 0 && end < 0; }
  bool operator==(const FileSlice& o) const {
    return path == o.path && memory_table == o.memory_table && begin == o.begin && end == o.end;
  }
};

struct DataSet {
  FileFormat format = FileFormat::Parquet;
  std::vector<FileSlice> files;
  std::vector<std::string> columns;  //!< projection; empty: all columns
  bool union_by_name = false;
  //! Parquet: columns the reader adds: "filename" (the file's path), "file_row_number" (the
  //! row's number in its file; kept right for row ranges).
  std::vector<std::string> generated_columns;
  //! Column names and SQL types for CSV/JSON; empty: detected from the data.
  std::vector<std::pair<std::string, std::string>> schema;
  std::string delimiter = ",";
  std::optional<bool> header;  //!< CSV: the first line names the columns; unset: detected
  //! A file whose schema an empty data set has (files empty), read with the same options;
  //! empty when unknown.
  std::string schema_file;
  //! Or an in-memory table with that schema.
  std::string schema_table;

  //! Whole Parquet files (a task's output), with the file that has their schema.
  static DataSet parquet_files(const std::vector<std::string>& paths,
                               const std::string& schema_file);
  //! Whole chunk files (a task's output for later tasks only), with one that has their
  //! columns.
  static DataSet chunk_files(const std::vector<std::string>& paths, const std::string& schema_file);
  //! One in-memory table (a task's output kept in memory).
  static DataSet in_memory_table(const std::string& name);

  bool empty() const { return files.empty(); }
  //! Whether it names a file or table with its columns (schema_file or schema_table).
  bool has_schema_source() const { return !schema_file.empty() || !schema_table.empty(); }
  //! Takes its columns from this slice (of the same data set) unless it has a schema source.
  void adopt_schema_of(const FileSlice& slice);
  //! Whether its columns are known: it has files, a schema file or a declared schema. (A C++
  //! function that produced no rows leaves its output without.)
  bool schema_known() const { return !files.empty() || has_schema_source() || !schema.empty(); }
  //! The same reading options, no files (without copying the file list: a split of a large
  //! input makes one per part).
  DataSet without_files() const;
  //! The same data set with no files, and the columns of `other` (which must know them).
  DataSet empty_with_schema_of(const DataSet& other) const;
  //! A SELECT statement that reads the data. Throws InvalidInputError for an empty data set
  //! whose schema is unknown.
  std::string sql() const;
  Json to_json() const;
  //! to_json().dump(), handed to `write` in pieces without the JSON value being made (a data
  //! set of a million files is a few hundred megabytes as one).
  void write_json(const std::function<void(std::string_view)>& write) const;
  static DataSet from_json(const Json& json);
  //! Paths made relative to dir (for manifests that must survive moving the directory) ...
  DataSet relative_to(const std::string& dir) const;
  //! ... and back to absolute.
  DataSet resolved_against(const std::string& dir) const;
  //! The in-memory tables this data set reads (files and schema_table), each once.
  std::vector<std::string> memory_tables() const;
  //! A reader call as a SELECT with the columns in their fixed order (see generated_columns).
  std::string shaped(const std::string& reader, bool has_row_number) const;
  //! All files of the parts, in order; reading options come from the first part.
  static DataSet concat(const std::vector<DataSet>& parts);
  static DataSet concat(const std::vector<const DataSet*>& parts);  //!< without copying them first
};

//! nlohmann's conversions (found by argument lookup), for data sets inside other JSON forms.
inline void to_json(Json& json, const DataSet& ds) { json = ds.to_json(); }
inline void from_json(const Json& json, DataSet& ds) { ds = DataSet::from_json(json); }

}  // namespace smallpond
