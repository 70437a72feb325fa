#include "support/test_env.h"

#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <thread>

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

int traced_attempts(const std::string& job_dir) {
  int lines = 0;
  std::error_code ec;
  for (auto& entry : std::filesystem::directory_iterator(job_dir + "/log", ec)) {
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) lines++;
    lines--;  // the header
  }
  return lines;
}

void wait_for_attempts(const std::string& job_dir, int n, double timeout_s) {
  for (int i = 0; i < timeout_s * 50 && traced_attempts(job_dir) < n; i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
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
