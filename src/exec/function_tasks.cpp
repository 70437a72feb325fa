#include "exec/function_tasks.h"

#include <algorithm>

#include "common/code_location.h"
#include "common/strings.h"
#include "engine/row_json.h"
#include "exec/row_writer.h"
#include "io/filesystem.h"
#include "smallpond/batch.h"
#include "smallpond/row.h"
#include "smallpond/script.h"

namespace smallpond {

namespace {

// Whether the input's columns can be known: it has files, or a schema.
bool readable(const DataSet& ds) { return ds.schema_known(); }

ColumnList columns_of(const Table& t) {
  ColumnList out;
  for (size_t c = 0; c < t.column_names.size(); c++)
    out.emplace_back(t.column_names[c], t.column_types[c]);
  return out;
}

Row to_row(const Table& batch, std::vector<Value>& values) {
  Row row;
  for (size_t c = 0; c < values.size(); c++) row[batch.column_names[c]] = std::move(values[c]);
  return row;
}

// Writes what the writer holds as the task's one output file, or an output without rows.
int64_t finish(FunctionTask& t, RowWriter& writer) {
  std::string file = t.task.staging_dir + "/part-0.parquet";
  if (!writer.has_columns()) {
    t.outputs.push_back(DataSet::parquet_files({}, ""));  // no rows, and no way to know the columns
    return 0;
  }
  int64_t rows = writer.write(file);
  t.outputs.push_back(DataSet::parquet_files({file}, file));
  return rows;
}

}  // namespace

int64_t run_row_function(FunctionTask t) {
  const std::string& kind = t.params.function_kind;
  const void* fn = resolve_code(t.params.function);
  const DataSet& input = t.task.inputs.at(0);
  std::unique_ptr<RowWriter> writer;
  if (!readable(input)) {
    writer = std::make_unique<RowWriter>(t.con);
    return finish(t, *writer);
  }
  if (kind == "map_batches") {
    writer = std::make_unique<RowWriter>(t.con);
    auto batch_fn = reinterpret_cast<BatchFunction>(fn);
    t.con.scan_batches(input.sql(), static_cast<size_t>(t.params.batch_size),
                       [&](const Batch& batch) { writer->add(batch_fn(batch)); });
    return finish(t, *writer);
  }
  // With parameters, the function takes them as an argument in every call.
  const bool with_params = !t.params.function_params.is_null();
  const Row params = with_params ? row_from_json(t.params.function_params) : Row();
  if (kind == "map_batches_arrow") {
    auto sink = t.con.create_arrow_sink();
    t.con.scan_batches(
        input.sql(), static_cast<size_t>(t.params.batch_size), [&](const Batch& batch) {
          ArrowSchema schema{};
          ArrowArray array{};
          if (with_params)
            reinterpret_cast<ArrowBatchWithParams>(fn)(batch, params, &schema, &array);
          else
            reinterpret_cast<ArrowBatchFunction>(fn)(batch, &schema, &array);
          if (!schema.release && !array.release) return;  // no rows from this one
          sink->append(&schema, &array);
        });
    if (!sink->has_columns()) {
      t.outputs.push_back(DataSet::parquet_files({}, ""));
      return 0;
    }
    std::string file = t.task.staging_dir + "/part-0.parquet";
    int64_t rows = sink->write_parquet(file);
    t.outputs.push_back(DataSet::parquet_files({file}, file));
    return rows;
  }
  std::vector<Row> out;
  t.con.scan(input.sql(), 4096, [&](Table& batch) {
    // A filter keeps its input's columns, also when nothing passes.
    if (!writer)
      writer =
          std::make_unique<RowWriter>(t.con, kind == "filter" ? columns_of(batch) : ColumnList{});
    for (auto& values : batch.rows) {
      Row row = to_row(batch, values);
      if (kind == "filter") {
        bool keep = with_params ? reinterpret_cast<FilterWithParams>(fn)(row, params)
                                : reinterpret_cast<FilterFunction>(fn)(row);
        if (keep) out.push_back(std::move(row));
      } else if (kind == "map") {
        out.push_back(with_params ? reinterpret_cast<MapWithParams>(fn)(row, params)
                                  : reinterpret_cast<MapFunction>(fn)(row));
      } else if (kind == "flat_map") {
        for (auto& r : with_params ? reinterpret_cast<FlatMapWithParams>(fn)(row, params)
                                   : reinterpret_cast<FlatMapFunction>(fn)(row))
          out.push_back(std::move(r));
      } else {
        throw InternalError("unknown row function kind '" + kind + "'");
      }
    }
    writer->add(out);
    out.clear();
  });
  return finish(t, *writer);
}

int64_t run_partition_function(FunctionTask t) {
  auto fn = reinterpret_cast<PartitionFunction>(resolve_code(t.params.function));
  const int64_t n = t.params.n;
  const DataSet& input = t.task.inputs.at(0);
  std::vector<std::unique_ptr<RowSink>> buckets(n);
  std::vector<int64_t> counts(n, 0);
  int64_t rows = 0;
  ColumnList columns;
  if (readable(input)) {
    t.con.scan(input.sql(), 4096, [&](Table& batch) {
      if (columns.empty()) columns = columns_of(batch);
      for (auto& values : batch.rows) {
        Row row = to_row(batch, values);
        int64_t k = fn(row);
        if (k < 0 || k >= n)
          throw InvalidInputError("partition key " + std::to_string(k) + " is out of range 0-" +
                                  std::to_string(n - 1));
        if (!buckets[k]) buckets[k] = t.con.create_sink(columns);
        std::vector<Value> ordered;
        ordered.reserve(columns.size());
        for (auto& [name, type] : columns) ordered.push_back(row[name]);
        buckets[k]->append(ordered);
        counts[k]++;
        rows++;
      }
    });
  }
  // Empty partitions share a schema-only file so that consumers know the columns.
  std::string schema_file;
  if (!columns.empty()) {
    schema_file = t.task.staging_dir + "/schema.parquet";
    t.con.create_sink(columns)->write_parquet(schema_file);
  }
  for (int64_t k = 0; k < n; k++) {
    if (!buckets[k]) {
      t.outputs.push_back(DataSet::parquet_files({}, schema_file));
      continue;
    }
    std::string file = t.task.staging_dir + "/part-" + std::to_string(k) + ".parquet";
    buckets[k]->write_parquet(file);
    t.outputs.push_back(DataSet::parquet_files({file}, file));
  }
  return rows;
}

int64_t run_table_function(FunctionTask t) {
  auto fn = reinterpret_cast<TableFunction>(resolve_code(t.params.function));
  std::vector<std::unique_ptr<Batch>> batches;
  std::vector<const Batch*> inputs;
  for (auto& input : t.task.inputs) {
    batches.push_back(readable(input) ? t.con.query_batch(input.sql()) : empty_batch());
    inputs.push_back(batches.back().get());
  }
  RowWriter writer(t.con);
  writer.add(fn(inputs));
  return finish(t, writer);
}

namespace {

class TaskScriptContext : public ScriptContext {
 public:
  TaskScriptContext(FunctionTask& t, std::vector<std::vector<std::string>> files,
                    std::string output_dir)
      : t_(t), files_(std::move(files)), output_dir_(std::move(output_dir)) {}
  const std::vector<std::string>& input_files(size_t input) const override {
    if (input >= files_.size())
      throw InvalidInputError("the script has " + std::to_string(files_.size()) +
                              " input(s), not " + std::to_string(input + 1));
    return files_[input];
  }
  size_t num_inputs() const override { return files_.size(); }
  const std::string& output_dir() const override { return output_dir_; }
  int partition(const std::string& dimension) const override {
    auto& names = t_.params.names;
    return names.contains(dimension) ? names[dimension].get<int>() : -1;
  }
  Table query(const std::string& sql) override { return t_.con.query(sql); }
  int64_t write_parquet(const Table& table, const std::string& path) override {
    RowWriter writer(t_.con, table.column_types.size() == table.column_names.size() &&
                                     !table.column_names.empty()
                                 ? columns_of(table)
                                 : ColumnList{});
    writer.add(table);
    if (!writer.has_columns()) throw InvalidInputError("write_parquet: the table has no columns");
    auto slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) make_dirs(path.substr(0, slash));
    return writer.write(path);
  }

 private:
  FunctionTask& t_;
  std::vector<std::vector<std::string>> files_;
  std::string output_dir_;
};

}  // namespace

int64_t run_script(FunctionTask t) {
  auto fn = reinterpret_cast<ScriptFunction>(resolve_code(t.params.function));
  // Inputs that are not whole Parquet files as they are (row ranges, projections, in-memory
  // tables, other formats) are written to files first: a script sees exact files.
  std::string inputs_dir = t.task.staging_dir + "/.inputs";
  std::vector<std::vector<std::string>> files;
  for (size_t i = 0; i < t.task.inputs.size(); i++) {
    const DataSet& ds = t.task.inputs[i];
    bool as_is = ds.format == FileFormat::Parquet && ds.columns.empty() &&
                 ds.generated_columns.empty() && ds.memory_tables().empty();
    for (auto& f : ds.files) as_is = as_is && f.whole();
    files.emplace_back();
    if (as_is) {
      for (auto& f : ds.files) files.back().push_back(f.path);
    } else if (!ds.empty()) {
      make_dirs(inputs_dir);
      std::string file = inputs_dir + "/input-" + std::to_string(i) + ".parquet";
      t.con.query_int("COPY (" + ds.sql() + ") TO " + sql_string(file) + " (FORMAT parquet)");
      files.back().push_back(file);
    }
  }
  std::string output_dir = t.task.staging_dir + "/output";
  make_dirs(output_dir);
  TaskScriptContext context(t, files, output_dir);
  if (!fn(context)) throw Error("the script returned false");
  remove_all(inputs_dir);
  std::vector<std::string> written;
  for (auto& rel : list_files_recursive(output_dir))
    if (ends_with(rel, ".parquet")) written.push_back(output_dir + "/" + rel);
  std::sort(written.begin(), written.end());
  int64_t rows = 0;
  for (auto& f : written)
    rows += t.con.query_int("SELECT count(*) FROM read_parquet(" + sql_string(f) + ")");
  t.outputs.push_back(DataSet::parquet_files(written, written.empty() ? "" : written.front()));
  return rows;
}

}  // namespace smallpond
