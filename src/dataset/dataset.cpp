#include "dataset/dataset.h"

#include <algorithm>
#include <filesystem>

#include "common/strings.h"
#include "smallpond/error.h"

namespace smallpond {

const char* format_name(FileFormat format) {
  switch (format) {
    case FileFormat::Parquet:
      return "parquet";
    case FileFormat::Csv:
      return "csv";
    case FileFormat::Json:
      return "json";
    case FileFormat::Chunks:
      return "chunks";
  }
  return "?";
}

const char* file_extension(FileFormat format) {
  switch (format) {
    case FileFormat::Parquet:
      return ".parquet";
    case FileFormat::Csv:
      return ".csv";
    case FileFormat::Json:
      return ".json";
    case FileFormat::Chunks:
      return ".chunks";
  }
  return "";
}

static FileFormat parse_format(const std::string& name) {
  if (name == "parquet") return FileFormat::Parquet;
  if (name == "csv") return FileFormat::Csv;
  if (name == "json") return FileFormat::Json;
  if (name == "chunks") return FileFormat::Chunks;
  throw InternalError("unknown file format '" + name + "'");
}

// The engine's table function over in-memory tables (engine/memory_tables_internal.h).
static std::string memory_scan(const std::vector<std::string>& tables) {
  return "__smallpond_memory(" + sql_string_list(tables) + ")";
}

std::vector<std::string> DataSet::memory_tables() const {
  std::vector<std::string> out;
  auto add = [&](const std::string& t) {
    if (!t.empty() && std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  };
  for (auto& f : files) add(f.memory_table);
  add(schema_table);
  return out;
}

static std::string columns_struct(const std::vector<std::pair<std::string, std::string>>& schema) {
  std::string out = "{";
  for (size_t i = 0; i < schema.size(); i++) {
    if (i) out += ", ";
    out += sql_string(schema[i].first) + ": " + sql_string(schema[i].second);
  }
  return out + "}";
}

// The reader call for a list of whole files.
static std::string reader_call(const DataSet& ds, const std::vector<std::string>& paths,
                               bool file_row_number) {
  std::string args = sql_string_list(paths);
  switch (ds.format) {
    case FileFormat::Parquet: {
      args += ", hive_partitioning = false";
      auto wants = [&](const char* c) {
        return std::find(ds.generated_columns.begin(), ds.generated_columns.end(), c) !=
               ds.generated_columns.end();
      };
      if (file_row_number || wants("file_row_number")) args += ", file_row_number = true";
      if (wants("filename")) args += ", filename = true";
      if (ds.union_by_name) args += ", union_by_name = true";
      return "read_parquet(" + args + ")";
    }
    case FileFormat::Csv:
      args += ", delim = " + sql_string(ds.delimiter);
      if (ds.header) args += std::string(", header = ") + (*ds.header ? "true" : "false");
      if (!ds.schema.empty()) args += ", columns = " + columns_struct(ds.schema);
      if (ds.union_by_name) args += ", union_by_name = true";
      return "read_csv(" + args + ")";
    case FileFormat::Json:
      args += ", format = 'newline_delimited'";
      if (!ds.schema.empty()) args += ", columns = " + columns_struct(ds.schema);
      if (ds.union_by_name) args += ", union_by_name = true";
      return "read_json(" + args + ")";
    case FileFormat::Chunks:
      // Written by smallpond itself: no generated columns or union by name.
      if (!ds.generated_columns.empty() || ds.union_by_name || file_row_number)
        throw InternalError("chunk files are read whole, with their own columns");
      return "__smallpond_chunks(" + sql_string_list(paths) + ")";
  }
  return "";
}

// Every part of a data set must give the same columns in the same order: the file's columns,
// then the generated ones in the order asked for (the reader's own order differs between calls
// with and without row ranges, which always read file_row_number).
std::string DataSet::shaped(const std::string& reader, bool has_row_number) const {
  std::vector<std::string> drop;
  bool want_row_number = false;
  for (auto& c : generated_columns) {
    drop.push_back(c);
    want_row_number = want_row_number || c == "file_row_number";
  }
  if (has_row_number && !want_row_number) drop.push_back("file_row_number");
  if (drop.empty()) return "SELECT * FROM " + reader;
  std::string select = "SELECT * EXCLUDE (" + join(drop, ", ") + ")";
  for (auto& c : generated_columns) select += ", " + c;
  return select + " FROM " + reader;
}

std::string DataSet::sql() const {
  std::string projection = "*";
  if (!columns.empty()) {
    std::vector<std::string> quoted;
    for (auto& c : columns) quoted.push_back(sql_identifier(c));
    projection = join(quoted, ", ");
  }
  if (files.empty()) {
    if (!schema_table.empty())
      return "SELECT " + projection + " FROM " + memory_scan({schema_table}) + " LIMIT 0";
    if (!schema_file.empty())  // a file of the same data set: its columns, none of its rows
      return "SELECT " + projection + " FROM (" +
             shaped(reader_call(*this, {schema_file}, false), false) + ") LIMIT 0";
    if (format != FileFormat::Parquet && !schema.empty()) {
      std::vector<std::string> cols;
      for (auto& [name, type] : schema)
        cols.push_back("NULL::" + type + " AS " + sql_identifier(name));
      return "SELECT " + projection + " FROM (SELECT " + join(cols, ", ") + ") WHERE false";
    }
    throw InvalidInputError("the input is empty and its schema is unknown");
  }
  // Whole files are read by one reader call; row ranges (Parquet only) each by their own.
  std::vector<std::string> whole, parts, in_memory;
  for (auto& f : files) {
    if (f.in_memory()) {
      // By name, each table is its own part; otherwise one scan reads them all.
      if (union_by_name)
        parts.push_back("SELECT * FROM " + memory_scan({f.memory_table}));
      else
        in_memory.push_back(f.memory_table);
      continue;
    }
    if (f.whole()) {
      whole.push_back(f.path);
      continue;
    }
    if (format != FileFormat::Parquet)
      throw InternalError("row ranges are only supported for Parquet: " + f.path);
    std::string range = "file_row_number >= " + std::to_string(f.begin);
    if (f.end >= 0) range += " AND file_row_number < " + std::to_string(f.end);
    parts.push_back(shaped(reader_call(*this, {f.path}, true), true) + " WHERE " + range);
  }
  if (!in_memory.empty()) parts.insert(parts.begin(), "SELECT * FROM " + memory_scan(in_memory));
  if (parts.empty() && generated_columns.empty())
    return "SELECT " + projection + " FROM " + reader_call(*this, whole, false);
  if (!whole.empty()) parts.insert(parts.begin(), shaped(reader_call(*this, whole, false), false));
  return "SELECT " + projection + " FROM (" +
         join(parts, union_by_name ? " UNION ALL BY NAME " : " UNION ALL ") + ")";
}

DataSet DataSet::parquet_files(const std::vector<std::string>& paths,
                               const std::string& schema_file) {
  DataSet ds;
  ds.format = FileFormat::Parquet;
  for (auto& p : paths) ds.files.push_back({p, 0, -1});
  ds.schema_file = schema_file;
  return ds;
}

DataSet DataSet::chunk_files(const std::vector<std::string>& paths,
                             const std::string& schema_file) {
  DataSet ds = parquet_files(paths, schema_file);
  ds.format = FileFormat::Chunks;
  return ds;
}

DataSet DataSet::in_memory_table(const std::string& name) {
  DataSet ds;
  ds.files = {FileSlice::in_memory_table(name)};
  ds.schema_table = name;
  return ds;
}

// A file as a data set's JSON lists it.
static Json file_json(const FileSlice& f) {
  if (f.in_memory()) return {{"memory_table", f.memory_table}};
  if (f.whole() && f.fingerprint.empty()) return f.path;
  // [path, fingerprint]: a third of an object's memory (1M-file sources)
  if (f.whole()) return Json::array({f.path, f.fingerprint.str()});
  Json file = {{"path", f.path}, {"begin", f.begin}, {"end", f.end}};
  if (!f.fingerprint.empty()) file["fingerprint"] = f.fingerprint.str();
  return file;
}

Json DataSet::to_json() const {
  Json j;
  j["format"] = format_name(format);
  Json fs = Json::array();
  for (auto& f : files) fs.push_back(file_json(f));
  j["files"] = fs;
  if (!columns.empty()) j["columns"] = columns;
  if (union_by_name) j["union_by_name"] = true;
  if (!generated_columns.empty()) j["generated_columns"] = generated_columns;
  if (!schema.empty()) j["schema"] = schema;
  if (format == FileFormat::Csv) {
    j["delimiter"] = delimiter;
    if (header) j["header"] = *header;
  }
  if (!schema_file.empty()) j["schema_file"] = schema_file;
  if (!schema_table.empty()) j["schema_table"] = schema_table;
  return j;
}

void DataSet::write_json(const std::function<void(std::string_view)>& write) const {
  // The other fields as to_json writes them, with the files spliced in where the empty list
  // is: `"files":[]` occurs nowhere else (a quote inside a JSON string is escaped).
  std::string rest = without_files().to_json().dump();
  const std::string_view empty_list = "\"files\":[]";
  size_t at = rest.find(empty_list);
  if (at == std::string::npos) throw InternalError("a data set's JSON has no file list");
  size_t open = at + empty_list.size() - 1;  // just before the ']'
  write(std::string_view(rest).substr(0, open));
  std::string piece;
  for (size_t i = 0; i < files.size(); i++) {
    if (i) piece += ',';
    piece += file_json(files[i]).dump();
    if (piece.size() >= (64 << 10)) {
      write(piece);
      piece.clear();
    }
  }
  write(piece);
  write(std::string_view(rest).substr(open));
}

DataSet DataSet::from_json(const Json& j) {
  DataSet ds;
  ds.format = parse_format(j.at("format").get<std::string>());
  for (auto& f : j.at("files")) {
    if (f.is_string())
      ds.files.push_back({f.get<std::string>(), 0, -1});
    else if (f.is_array())
      ds.files.push_back({f.at(0).get<std::string>(), 0, -1, f.at(1).get<std::string>()});
    else if (f.contains("memory_table"))
      ds.files.push_back(FileSlice::in_memory_table(f.at("memory_table")));
    else
      ds.files.push_back(
          {f.at("path"), f.at("begin"), f.at("end"), f.value("fingerprint", std::string())});
  }
  if (j.contains("columns")) ds.columns = j["columns"].get<std::vector<std::string>>();
  ds.union_by_name = j.value("union_by_name", false);
  if (j.contains("generated_columns"))
    ds.generated_columns = j["generated_columns"].get<std::vector<std::string>>();
  if (j.contains("schema"))
    ds.schema = j["schema"].get<std::vector<std::pair<std::string, std::string>>>();
  ds.delimiter = j.value("delimiter", std::string(","));
  if (j.contains("header") && !j["header"].is_null()) ds.header = j["header"].get<bool>();
  ds.schema_file = j.value("schema_file", std::string());
  ds.schema_table = j.value("schema_table", std::string());
  return ds;
}

static std::string relative(const std::string& path, const std::string& dir) {
  if (path.empty()) return path;
  return std::filesystem::path(path).lexically_relative(dir).string();
}

static std::string resolved(const std::string& path, const std::string& dir) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(dir) / path).lexically_normal().string();
}

DataSet DataSet::relative_to(const std::string& dir) const {
  DataSet out = *this;
  for (auto& f : out.files) f.path = relative(f.path, dir);
  out.schema_file = relative(out.schema_file, dir);
  return out;
}

DataSet DataSet::resolved_against(const std::string& dir) const {
  DataSet out = *this;
  for (auto& f : out.files) f.path = resolved(f.path, dir);
  out.schema_file = resolved(out.schema_file, dir);
  return out;
}

DataSet DataSet::without_files() const {
  DataSet out;  // every field but files
  out.format = format;
  out.columns = columns;
  out.union_by_name = union_by_name;
  out.generated_columns = generated_columns;
  out.schema = schema;
  out.delimiter = delimiter;
  out.header = header;
  out.schema_file = schema_file;
  out.schema_table = schema_table;
  return out;
}

void DataSet::adopt_schema_of(const FileSlice& slice) {
  if (has_schema_source()) return;
  if (slice.in_memory())
    schema_table = slice.memory_table;
  else
    schema_file = slice.path;
}

DataSet DataSet::empty_with_schema_of(const DataSet& other) const {
  DataSet out = other.without_files();
  if (!other.files.empty()) out.adopt_schema_of(other.files.front());
  return out;
}

DataSet DataSet::concat(const std::vector<DataSet>& parts) {
  std::vector<const DataSet*> pointers;
  for (auto& p : parts) pointers.push_back(&p);
  return concat(pointers);
}

DataSet DataSet::concat(const std::vector<const DataSet*>& parts) {
  if (parts.empty()) throw InternalError("concat of no data sets");
  DataSet out = parts[0]->without_files();
  out.schema_file.clear();
  out.schema_table.clear();
  size_t files = 0;
  for (auto* p : parts) files += p->files.size();
  out.files.reserve(files);
  for (auto* part : parts) {
    const DataSet& p = *part;
    // One reader reads them all: files of another format would be misread.
    if (!p.files.empty() && !out.files.empty() && p.format != out.format)
      throw InternalError(std::string("cannot read ") + format_name(p.format) + " and " +
                          format_name(out.format) + " files as one input");
    if (!p.files.empty() && out.files.empty()) out.format = p.format;
    out.files.insert(out.files.end(), p.files.begin(), p.files.end());
    if (!out.has_schema_source()) {
      out.schema_file = p.schema_file;
      out.schema_table = p.schema_table;
    }
  }
  if (!out.files.empty()) out.adopt_schema_of(out.files.front());
  return out;
}

}  // namespace smallpond
