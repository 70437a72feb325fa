#include "datagen/gensort.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "common/strings.h"
#include "common/system.h"
#include "datagen/generated_dir.h"
#include "engine/engine.h"
#include "io/filesystem.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

// The hex digit `k` (1-based) of a 16-digit upper-case hex string, four times.
std::string four_times(const std::string& hex16, int k) {
  return "repeat(" + hex16 + "[" + std::to_string(k) + "], 4)";
}

// One record per row of r(i): key and payload as BLOBs (see gensort.h for the layout). The
// random bits are h1, h2, h3: three 64-bit hashes of the record number.
std::string records_sql(bool ascii, int64_t begin, int64_t end) {
  std::string number = "upper(lpad(to_hex(i), 32, '0'))";
  std::string key, payload;
  if (ascii) {
    std::vector<std::string> chars;  // 10 printable characters, ' ' to '~'
    for (int k = 0; k < 9; k++)
      chars.push_back("chr((32 + (h1 >> " + std::to_string(7 * k) + ") % 95)::INTEGER)");
    chars.push_back("chr((32 + h2 % 95)::INTEGER)");
    key = "encode(" + join(chars, " || ") + ")";
    std::vector<std::string> filler;  // 13 letters A-P, each 4 times
    for (int k = 0; k < 13; k++)
      filler.push_back("repeat(chr((65 + (h3 >> " + std::to_string(4 * k) +
                       ") % 16)::INTEGER), 4)");
    payload = "encode('  ' || " + number + " || '  ' || " + join(filler, " || ") +
              " || chr(13) || chr(10))";
  } else {
    key = "unhex(lpad(to_hex(h1), 16, '0') || lpad(to_hex(h2 >> 48), 4, '0'))";
    std::vector<std::string> filler;  // 12 hex digits of h3, each 4 times
    for (int k = 1; k <= 12; k++) filler.push_back(four_times("x3", k));
    payload = "'\\x00\\x11'::BLOB || encode(" + number +
              ") || '\\x88\\x99\\xAA\\xBB'::BLOB || encode(" + join(filler, " || ") +
              ") || '\\xCC\\xDD\\xEE\\xFF'::BLOB";
  }
  return "SELECT " + key + " AS key, " + payload +
         " AS payload FROM (SELECT i, h1, h2, h3, upper(lpad(to_hex(h3), 16, '0')) AS x3 FROM "
         "(SELECT i, hash(i, 1) AS h1, hash(i, 2) AS h2, hash(i, 3) AS h3 FROM range(" +
         std::to_string(begin) + ", " + std::to_string(end) + ") r(i)))";
}

// A decimal number of up to 39 digits, and back.
unsigned __int128 parse_u128(const std::string& text) {
  unsigned __int128 v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') throw InternalError("not a checksum: '" + text + "'");
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  return v;
}

std::string u128_hex(unsigned __int128 v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(v >> 64),
                static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

bool generate_gensort(const std::string& dir, const GensortSpec& spec) {
  if (spec.records < 0 || spec.files < 1)
    throw InvalidInputError("generate gensort: records must be >= 0 and files >= 1");
  GeneratedDir out;
  out.dir = dir;
  out.dataset = "gensort records";
  out.marker = ".gensort-spec";
  out.settings = "records " + std::to_string(spec.records) + ", files " +
                 std::to_string(spec.files) + (spec.ascii ? ", ascii" : ", binary");
  out.file_prefix = "gensort";
  out.rows = spec.records;
  out.files = spec.files;
  return generate_dir(
      out, [&](int64_t begin, int64_t end) { return records_sql(spec.ascii, begin, end); });
}

SortCheck check_sorted(const std::string& dir, bool check_order) {
  std::vector<std::string> files;
  for (auto& rel : list_files_recursive(dir))
    if (rel.size() > 8 && rel.compare(rel.size() - 8, 8, ".parquet") == 0)
      files.push_back(dir + "/" + rel);
  std::sort(files.begin(), files.end());
  SortCheck check;
  if (files.empty()) throw InvalidInputError("'" + dir + "' holds no Parquet files");
  Engine engine;
  EngineLimits limits;
  limits.threads = cpu_count();
  auto con = engine.connect(limits);
  // Per file: counts, the checksum, duplicates and the first row out of order within the file,
  // and its first and last keys (for the order across files).
  std::string prev =
      check_order ? "lag(key) OVER (PARTITION BY filename ORDER BY file_row_number)" : "NULL::BLOB";
  Table t = con->query(
      "SELECT filename, count(*) AS n, sum(hash(key || payload))::HUGEINT::VARCHAR AS checksum, "
      "count(*) FILTER (WHERE key IS NULL OR payload IS NULL OR octet_length(key) <> 10 OR "
      "octet_length(payload) <> 90) AS malformed, "
      "count(*) FILTER (WHERE key = prev) AS duplicates, "
      "min(file_row_number) FILTER (WHERE key < prev) AS first_unordered, "
      "hex(arg_min(key, file_row_number)) AS first_key, "
      "hex(arg_max(key, file_row_number)) AS last_key "
      "FROM (SELECT key, payload, filename, file_row_number, " +
      prev + " AS prev FROM read_parquet(" + sql_string_list(files) +
      ", filename = true, file_row_number = true)) GROUP BY filename");
  std::map<std::string, const std::vector<Value>*> by_file;
  for (auto& row : t.rows) by_file[row[0].as_string()] = &row;
  unsigned __int128 sum = 0;
  std::string last_key;  // of the files before, in order
  for (auto& f : files) {
    auto it = by_file.find(f);
    if (it == by_file.end()) continue;  // no rows
    const auto& row = *it->second;
    check.records += row[1].as_int();
    sum += parse_u128(row[2].as_string());
    check.malformed += row[3].as_int();
    check.duplicate_keys += row[4].as_int();
    if (!check_order) continue;
    const std::string& first_key = row[6].as_string();
    if (!last_key.empty() && first_key == last_key) check.duplicate_keys++;
    if (check.ordered && !row[5].is_null()) {
      check.ordered = false;
      check.first_unordered = "file " + f + ", row " + std::to_string(row[5].as_int());
    }
    if (check.ordered && !last_key.empty() && first_key < last_key) {
      check.ordered = false;
      check.first_unordered = "file " + f + ", row 0 (its key is below the previous file's last)";
    }
    last_key = row[7].as_string();
  }
  check.checksum = u128_hex(sum);
  return check;
}

}  // namespace smallpond
