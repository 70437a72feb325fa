// functions_bench: what C++ functions in a plan cost, against the same computation in SQL and
// in DuckDB alone. Every case computes turnover = price * volume for every row of the prices
// table, over the same partitions, and writes it as Parquet:
//
//   sql            map("price * volume AS turnover")
//   row map        map(fn) with fn over Row (row at a time)
//   batches/rows   map_batches(fn) returning a Table (columnar in, rows out)
//   batches/arrow  map_batches(fn) returning an Arrow array (columnar in and out)
//   duckdb         DuckDB alone: one COPY of the same SELECT with as many threads
//
// usage: functions_bench [--rows N] [--data DIR] [--work DIR] [--executors N] [--partitions P]

#include <smallpond/smallpond.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "common/strings.h"
#include "common/system.h"
#include "datagen/prices.h"
#include "engine/engine.h"
#include "io/filesystem.h"

namespace sp = smallpond;

namespace {

sp::Row turnover_row(const sp::Row& r) {
  sp::Row out;
  out["turnover"] = sp::Value(r["price"].as_double() * static_cast<double>(r["volume"].as_int()));
  return out;
}

int column_index(const sp::Batch& b, const std::string& name) {
  for (size_t c = 0; c < b.num_columns(); c++)
    if (b.column_names()[c] == name) return static_cast<int>(c);
  throw sp::InvalidInputError("no column " + name);
}

sp::Table turnover_table(const sp::Batch& b) {
  int price = column_index(b, "price"), volume = column_index(b, "volume");
  sp::Table t;
  t.column_names = {"turnover"};
  t.column_types = {"DOUBLE"};
  t.rows.reserve(b.num_rows());
  for (size_t r = 0; r < b.num_rows(); r++)
    t.rows.push_back({sp::Value(b.value(price, r).as_double() *
                                static_cast<double>(b.value(volume, r).as_int()))});
  return t;
}

void turnover_arrow(const sp::Batch& b, ArrowSchema* schema, ArrowArray* array) {
  ArrowSchema in_schema;
  ArrowArray in;
  b.export_arrow(&in_schema, &in);  // no copy of the columns
  int price = column_index(b, "price"), volume = column_index(b, "volume");
  const ArrowArray* p = in.children[price];
  const ArrowArray* v = in.children[volume];
  auto* prices = static_cast<const double*>(p->buffers[1]) + p->offset;
  auto* volumes = static_cast<const int64_t*>(v->buffers[1]) + v->offset;
  std::vector<double> turnover(in.length);
  for (int64_t i = 0; i < in.length; i++)
    turnover[i] = prices[i] * static_cast<double>(volumes[i]);  // the data has no NULLs
  in.release(&in);
  in_schema.release(&in_schema);
  sp::ArrowColumns out;
  out.add("turnover", std::move(turnover));
  out.export_arrow(schema, array);
}

double time_it(const std::function<void()>& f) {
  double start = sp::monotonic_seconds();
  f();
  return sp::monotonic_seconds() - start;
}

std::string rows_label(int64_t rows) {
  return rows % 1'000'000 == 0 ? std::to_string(rows / 1'000'000) + "m" : std::to_string(rows);
}

}  // namespace

int main(int argc, char** argv) {
  sp::serve_if_executor();
  CLI::App app{"smallpond-cpp C++ functions benchmark"};
  int64_t rows = 5'000'000;
  std::string data, work = "bench/work";
  int executors = 0, partitions = 0;
  app.add_option("--rows", rows, "rows of the prices table");
  app.add_option("--data", data, "prices directory (default bench/data/prices-<rows>)");
  app.add_option("--work", work, "scratch directory");
  app.add_option("--executors", executors, "executors (default: one per core)");
  app.add_option("--partitions", partitions, "partitions (default: 2 x executors)");
  CLI11_PARSE(app, argc, argv);

  if (data.empty()) data = "bench/data/prices-" + rows_label(rows);
  data = sp::absolute_path(data);
  work = sp::absolute_path(work);
  if (!sp::path_exists(data)) sp::generate_prices(data, {rows, 20, 2000});
  std::vector<std::string> files;
  for (auto& f : sp::expand_path(data, ".parquet")) files.push_back(f.path);

  sp::Options o;
  o.job_dir = work + "/job-functions";
  o.executors = executors;
  o.progress = false;
  sp::remove_all(o.job_dir);
  auto session = sp::init(o);
  int k = session.options().executors;
  int n = partitions > 0 ? partitions : 2 * k;
  auto parts = session.read_parquet(data + "/*.parquet").repartition(n);
  session.partial_sql("SELECT count(*) FROM {0}", parts).count();  // warm: executors, cache

  std::printf("functions_bench: %lld rows in %zu files, %d partitions, %d executors\n",
              static_cast<long long>(rows), files.size(), n, k);
  std::printf("%-14s %10s %12s\n", "case", "seconds", "vs_duckdb");
  double duckdb_s;
  {
    sp::Engine engine(/*preserve_order=*/false);
    sp::EngineLimits limits;
    limits.threads = k;
    auto con = engine.connect(limits);
    duckdb_s = time_it([&] {
      con->query_int("COPY (SELECT price * volume AS turnover FROM read_parquet(" +
                     sp::sql_string_list(files) + ")) TO " +
                     sp::sql_string(work + "/out-duckdb.parquet") + " (FORMAT parquet)");
    });
  }
  struct Case {
    const char* name;
    std::function<sp::DataFrame()> frame;
  };
  std::vector<Case> cases = {
      {"sql", [&] { return parts.map("price * volume AS turnover"); }},
      {"row map", [&] { return parts.map(turnover_row); }},
      {"batches/rows", [&] { return parts.map_batches(turnover_table); }},
      {"batches/arrow", [&] { return parts.map_batches(turnover_arrow); }},
  };
  double check = -1;
  for (auto& c : cases) {
    sp::remove_all(work + "/out-functions");
    double s = time_it([&] { c.frame().write_parquet(work + "/out-functions"); });
    // Same answer everywhere: the total turnover.
    sp::Engine engine;
    double total = engine.connect()
                       ->query("SELECT sum(turnover) FROM read_parquet(" +
                               sp::sql_string(work + "/out-functions/*.parquet") + ")")
                       .rows[0][0]
                       .as_double();
    if (check < 0) check = total;
    if (std::abs(total - check) > 1e-6 * std::abs(check))
      throw sp::InternalError(std::string(c.name) + " computed a different total");
    std::printf("%-14s %10.3f %12.2f\n", c.name, s, s / duckdb_s);
    std::fflush(stdout);
  }
  std::printf("%-14s %10.3f %12.2f\n", "duckdb", duckdb_s, 1.0);
  session.shutdown();
  sp::remove_all(o.job_dir);
  return 0;
}
