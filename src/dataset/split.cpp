#include "dataset/split.h"

#include "smallpond/error.h"

namespace smallpond {

std::vector<int64_t> split_sizes(int64_t total, int n) {
  if (n <= 0) throw InternalError("split into " + std::to_string(n) + " parts");
  std::vector<int64_t> sizes(n, total / n);
  for (int64_t i = 0; i < total % n; i++) sizes[i]++;
  return sizes;
}

static DataSet empty_like(const DataSet& input) {
  DataSet part = input.without_files();
  // An empty part reads its columns from a file of the input, in any format.
  if (!input.files.empty()) part.adopt_schema_of(input.files.front());
  return part;
}

std::vector<DataSet> split_by_files(DataSet input, int n) {
  auto sizes = split_sizes(static_cast<int64_t>(input.files.size()), n);
  std::vector<DataSet> parts;
  parts.reserve(n);
  const DataSet empty = empty_like(input);
  size_t next = 0;
  for (int i = 0; i < n; i++) {
    DataSet part = empty;
    part.files.reserve(sizes[i]);
    for (int64_t k = 0; k < sizes[i]; k++) part.files.push_back(std::move(input.files[next++]));
    parts.push_back(std::move(part));
  }
  return parts;
}

std::vector<DataSet> split_by_rows(const DataSet& input, int n,
                                   const std::vector<int64_t>& file_rows) {
  if (file_rows.size() != input.files.size())
    throw InternalError("split_by_rows: row counts do not match the files");
  int64_t total = 0;
  for (auto r : file_rows) total += r;
  auto sizes = split_sizes(total, n);
  std::vector<DataSet> parts;
  size_t file = 0;
  int64_t offset = 0;  // rows of input.files[file] already handed out
  for (int i = 0; i < n; i++) {
    DataSet part = empty_like(input);
    int64_t want = sizes[i];
    while (want > 0) {
      const FileSlice& f = input.files[file];
      int64_t left = file_rows[file] - offset;
      int64_t take = std::min(want, left);
      if (f.in_memory()) throw InternalError("split_by_rows of an in-memory table");
      FileSlice s{f.path, f.begin + offset, f.begin + offset + take, f.fingerprint};
      if (s.begin == 0 && offset + take == file_rows[file] && f.end < 0) s.end = -1;  // whole file
      if (take > 0) part.files.push_back(s);
      want -= take;
      offset += take;
      if (offset == file_rows[file]) {
        file++;
        offset = 0;
      }
    }
    parts.push_back(std::move(part));
  }
  return parts;
}

}  // namespace smallpond
