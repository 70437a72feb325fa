#include "support/test_env.h"

#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "datagen/prices.h"
#include "engine/engine.h"
#include "io/filesystem.h"

namespace smallpond::testing {

TempDir::TempDir() {
  char tmpl[] = "/tmp/smallpond-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() { remove_all(path_); }

const std::string& small_prices_dir() {
  static TempDir* dir = new TempDir();  // lives for the whole process; removed at exit below
  static std::string path = [] {
    std::string p = *dir / "prices";
    PricesSpec spec;
    spec.rows = kSmallPricesRows;
    spec.files = 6;
    spec.tickers = 50;
    generate_prices(p, spec);
    std::atexit([] { delete dir; });
    return p;
  }();
  return path;
}

void write_items(const std::string& dir, int64_t rows, int files) {
  make_dirs(dir);
  Engine engine;
  auto con = engine.connect();
  int64_t begin = 0;
  for (int f = 0; f < files; f++) {
    int64_t end = begin + rows / files + (f < rows % files ? 1 : 0);
    char name[64];
    std::snprintf(name, sizeof name, "/item-%05d.parquet", f);
    con->query_int("COPY (SELECT range AS item FROM range(" + std::to_string(begin) + ", " +
                   std::to_string(end) + ")) TO '" + dir + name + "' (FORMAT parquet)");
    begin = end;
  }
}

Table duckdb_query(const std::string& sql) {
  Engine engine;
  return engine.connect()->query(sql);
}

Table sorted(Table table) {
  std::sort(table.rows.begin(), table.rows.end());
  return table;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

int run_command(const std::string& command, std::string* output) {
  std::string cmd = command + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) throw std::runtime_error("popen failed");
  std::array<char, 4096> buf;
  std::string out;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int status = pclose(pipe);
  if (output) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace smallpond::testing
