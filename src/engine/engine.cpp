// DuckDB first: its Arrow structs (with helper methods) must win over the plain C ones that
// smallpond/batch.h declares under the same guard.
#include "engine/engine.h"

#include <algorithm>
#include <functional>
#include <list>
#include <unordered_map>

#include "common/strings.h"
#include "duckdb/catalog/catalog.hpp"
#include "duckdb/common/arrow/result_arrow_wrapper.hpp"
#include "duckdb/common/vector_operations/unary_executor.hpp"
#include "duckdb/parser/parsed_data/create_scalar_function_info.hpp"
#include "duckdb/storage/object_cache.hpp"
#include "engine/arrow_sink.h"
#include "engine/batch_internal.h"
#include "engine/chunk_files_internal.h"
#include "engine/input_relations_internal.h"
#include "engine/memory_tables_internal.h"
#include "engine/parquet_buckets_internal.h"
#include "engine/range_partition_internal.h"
#include "engine/sql_volatility.h"
#include "io/filesystem.h"

namespace smallpond {

namespace {

ErrorCode code_of(duckdb::ExceptionType type) {
  switch (type) {
    case duckdb::ExceptionType::IO:
    case duckdb::ExceptionType::CONNECTION:
    case duckdb::ExceptionType::NETWORK:
    case duckdb::ExceptionType::HTTP:
      return ErrorCode::Io;
    case duckdb::ExceptionType::OUT_OF_MEMORY:
      return ErrorCode::OutOfMemory;
    case duckdb::ExceptionType::INTERRUPT:
      return ErrorCode::Interrupted;
    case duckdb::ExceptionType::FATAL:
    case duckdb::ExceptionType::INTERNAL:
      return ErrorCode::Internal;
    default:  // parser, binder, catalog, conversion, invalid input (a corrupt file), ...
      return ErrorCode::InvalidInput;
  }
}

[[noreturn]] void raise(duckdb::ErrorData& error) {
  throw EngineError(error.Message(), code_of(error.Type()));
}

template <class Result>
void check(Result& result) {
  if (result.HasError()) raise(result.GetErrorObject());
}

// The next chunk of a streaming result; nullptr at the end.
duckdb::unique_ptr<duckdb::DataChunk> next_chunk(duckdb::QueryResult& result) {
  duckdb::unique_ptr<duckdb::DataChunk> chunk;
  try {
    chunk = result.Fetch();
  } catch (std::exception& e) {
    duckdb::ErrorData error(e);
    raise(error);
  }
  check(result);
  if (chunk && chunk->size() == 0) chunk.reset();
  return chunk;
}

}  // namespace

// A scalar function in the system catalog, replacing one of the same name (DuckDB's own
// registration only adds overloads, and fails on the same arguments).
void create_or_replace_function(duckdb::DuckDB& db, duckdb::ScalarFunction function) {
  duckdb::Connection con(db);
  duckdb::CreateScalarFunctionInfo info(std::move(function));
  info.on_conflict = duckdb::OnCreateConflict::REPLACE_ON_CONFLICT;
  con.context->RunFunctionInTransaction(
      [&] { duckdb::Catalog::GetSystemCatalog(*con.context).CreateFunction(*con.context, info); });
}

Value to_value(const duckdb::Value& v) {
  if (v.IsNull()) return Value();
  using duckdb::LogicalTypeId;
  switch (v.type().id()) {
    case LogicalTypeId::BOOLEAN:
      return Value(v.GetValue<bool>());
    case LogicalTypeId::TINYINT:
    case LogicalTypeId::SMALLINT:
    case LogicalTypeId::INTEGER:
    case LogicalTypeId::BIGINT:
    case LogicalTypeId::UTINYINT:
    case LogicalTypeId::USMALLINT:
    case LogicalTypeId::UINTEGER:
      return Value(v.GetValue<int64_t>());
    case LogicalTypeId::FLOAT:
    case LogicalTypeId::DOUBLE:
    case LogicalTypeId::DECIMAL:
      return Value(v.GetValue<double>());
    case LogicalTypeId::UBIGINT:
    case LogicalTypeId::HUGEINT:
    case LogicalTypeId::UHUGEINT: {
      // Sums of integers are HUGEINT: give them as integers when they fit.
      std::string text = v.ToString();
      try {
        size_t used = 0;
        long long n = std::stoll(text, &used);
        if (used == text.size()) return Value(static_cast<int64_t>(n));
      } catch (const std::exception&) {
      }
      return Value(text);
    }
    case LogicalTypeId::VARCHAR:
      return Value(duckdb::StringValue::Get(v));
    default:
      return Value(v.ToString());
  }
}

namespace {

duckdb::Value to_duck(const Value& v) {
  if (v.is_null()) return duckdb::Value();
  if (v.is_bool()) return duckdb::Value::BOOLEAN(v.as_bool());
  if (v.is_int()) return duckdb::Value::BIGINT(v.as_int());
  if (v.is_double()) return duckdb::Value::DOUBLE(v.as_double());
  return duckdb::Value(v.as_string());
}

// Its own connection: the caller's connection may be streaming a query (scan), and a stream
// allows no other statement on its connection.
class DuckRowSink : public RowSink {
 public:
  DuckRowSink(duckdb::DuckDB& db, const std::string& ddl, std::string table, size_t columns)
      : con_(db), table_(std::move(table)), columns_(columns) {
    auto result = con_.Query(ddl);
    check(*result);
    appender_ = std::make_unique<duckdb::Appender>(con_, table_);
  }
  void append(const std::vector<Value>& row) override {
    if (row.size() != columns_)
      throw InvalidInputError("a row has " + std::to_string(row.size()) +
                              " values, the output has " + std::to_string(columns_) + " columns");
    try {
      appender_->BeginRow();
      for (auto& v : row) appender_->Append(to_duck(v));
      appender_->EndRow();
    } catch (std::exception& e) {
      duckdb::ErrorData error(e);
      raise(error);
    }
  }
  int64_t write_parquet(const std::string& path) override {
    appender_->Flush();
    auto result = con_.Query("COPY " + table_ + " TO " + sql_string(path) + " (FORMAT parquet)");
    check(*result);
    return result->GetValue(0, 0).GetValue<int64_t>();
  }
  void clear() override {
    appender_->Flush();
    auto result = con_.Query("DELETE FROM " + table_);
    check(*result);
  }

 private:
  duckdb::Connection con_;
  std::string table_;
  size_t columns_;
  std::unique_ptr<duckdb::Appender> appender_;
};

// What a bucket copy wrote: the file of each bucket that got rows, and a file with the columns
// (a bucket's, or the copy's file of none).
BucketFiles bucket_files(int64_t rows, int n, const std::function<std::string(int)>& path_of,
                         const std::string& schema_only) {
  BucketFiles out;
  out.rows = rows;
  out.files.resize(n);
  for (int k = 0; k < n; k++) {
    if (!path_exists(path_of(k))) continue;
    out.files[k] = path_of(k);
    if (out.schema_file.empty()) out.schema_file = out.files[k];
  }
  if (out.schema_file.empty()) out.schema_file = schema_only;
  return out;
}

class DuckConnection : public EngineConnection {
 public:
  DuckConnection(duckdb::DuckDB& db, MemoryTables& memory) : db_(db), con_(db), memory_(memory) {}

  BucketFiles write_chunk_buckets(const std::string& sql, int n, const std::string& dir) override {
    // The copy writes what a ChunkBucketWriter on dir writes (engine/chunk_copy.cpp); its
    // target's name is not written.
    int64_t rows = query_int("COPY (" + sql + ") TO " + sql_string(dir + "/buckets") + " (FORMAT " +
                             kChunkCopyFormat + ", BUCKETS " + std::to_string(n) + ")");
    return bucket_files(
        rows, n, [&](int k) { return ChunkBucketWriter::bucket_path(dir, k); },
        ChunkBucketWriter::schema_path(dir));
  }

  BucketFiles write_parquet_buckets(const std::string& sql, int n, const std::string& dir,
                                    const std::string& options) override {
    int64_t rows = query_int("COPY (" + sql + ") TO " + sql_string(dir + "/buckets") + " (FORMAT " +
                             kParquetBucketsFormat + ", BUCKETS " + std::to_string(n) +
                             (options.empty() ? "" : ", " + options) + ")");
    return bucket_files(
        rows, n, [&](int k) { return parquet_bucket_path(dir, k); },
        parquet_bucket_schema_path(dir));
  }

  int64_t write_range_sample(const std::string& sql, int64_t samples, uint64_t salt,
                             int64_t weight_scale, int64_t input_rows,
                             const std::string& path) override {
    try {
      return smallpond::write_range_sample(con_, memory_, sql, samples, salt, weight_scale,
                                           input_rows, path);
    } catch (const Error&) {
      throw;
    } catch (std::exception& e) {
      duckdb::ErrorData error(e);
      raise(error);
    }
  }

  bool query_to_memory(const std::string& name, const std::string& sql, int64_t max_bytes,
                       const std::function<std::string()>& overflow_file, int64_t* rows,
                       int64_t* bytes) override {
    auto result = con_.SendQuery(sql);
    check(*result);
    auto table = std::make_shared<MemoryTable>(result->names, result->types);
    duckdb::unique_ptr<duckdb::DataChunk> chunk;
    while ((chunk = next_chunk(*result))) {
      table->append(*chunk);
      if (static_cast<int64_t>(table->data.size()) > max_bytes) break;
    }
    if (!chunk) {
      *rows = table->rows;
      *bytes = static_cast<int64_t>(table->data.size());
      memory_.put(name, std::move(table));
      return true;
    }
    // Too big: the rows so far and the rest of the stream go to a temporary table on a second
    // connection (the stream holds this one; DuckDB may spill the table to disk), then to Parquet.
    duckdb::Connection spill(db_);
    const std::string spilled = "__spill";
    memory_.put(name, std::move(table));
    auto created = spill.Query("CREATE TEMP TABLE " + spilled + " AS SELECT * FROM " +
                               "__smallpond_memory([" + sql_string(name) + "])");
    memory_.erase(name);
    check(*created);
    try {
      duckdb::Appender appender(spill, spilled);
      while ((chunk = next_chunk(*result))) appender.AppendDataChunk(*chunk);
      appender.Close();
    } catch (const Error&) {
      throw;
    } catch (std::exception& e) {
      duckdb::ErrorData error(e);
      raise(error);
    }
    auto copied =
        spill.Query("COPY " + spilled + " TO " + sql_string(overflow_file()) + " (FORMAT parquet)");
    check(*copied);
    *rows = copied->GetValue(0, 0).GetValue<int64_t>();
    *bytes = 0;
    return false;
  }

  void execute(const std::string& sql) override {
    for (auto& statement : extract(sql)) {
      auto result = con_.Query(std::move(statement));
      check(*result);
    }
  }

  Table query(const std::string& sql) override {
    auto result = con_.Query(sql);
    check(*result);
    Table table;
    table.column_names = result->names;
    for (auto& t : result->types) table.column_types.push_back(t.ToString());
    size_t ncols = result->ColumnCount();
    for (auto& chunk : result->Collection().Chunks()) {
      for (duckdb::idx_t r = 0; r < chunk.size(); r++) {
        std::vector<Value> row;
        row.reserve(ncols);
        for (size_t c = 0; c < ncols; c++) row.push_back(to_value(chunk.GetValue(c, r)));
        table.rows.push_back(std::move(row));
      }
    }
    return table;
  }

  int64_t query_int(const std::string& sql) override {
    auto result = con_.Query(sql);
    check(*result);
    if (result->RowCount() != 1 || result->ColumnCount() < 1)
      throw InternalError("expected one value from: " + sql);
    return result->GetValue(0, 0).GetValue<int64_t>();
  }

  void scan(const std::string& sql, size_t batch_rows,
            const std::function<void(Table&)>& on_batch) override {
    auto result = con_.SendQuery(sql);
    check(*result);
    Table batch;
    batch.column_names = result->names;
    for (auto& t : result->types) batch.column_types.push_back(t.ToString());
    bool delivered = false;
    while (true) {
      auto chunk = next_chunk(*result);
      if (!chunk) break;
      for (duckdb::idx_t r = 0; r < chunk->size(); r++) {
        std::vector<Value> row;
        row.reserve(chunk->ColumnCount());
        for (duckdb::idx_t c = 0; c < chunk->ColumnCount(); c++)
          row.push_back(to_value(chunk->GetValue(c, r)));
        batch.rows.push_back(std::move(row));
      }
      if (batch.rows.size() >= batch_rows) {
        // A failing callback must not leave the stream half-read on this connection: close it
        // before the exception goes on.
        try {
          on_batch(batch);
        } catch (...) {
          result.reset();
          throw;
        }
        delivered = true;
        batch.rows.clear();
      }
    }
    result.reset();
    if (!batch.rows.empty() || !delivered) on_batch(batch);
  }

  void scan_batches(const std::string& sql, size_t batch_rows,
                    const std::function<void(const Batch&)>& on_batch) override {
    if (batch_rows == 0) throw InvalidInputError("batch size must be positive");
    auto result = con_.SendQuery(sql);
    check(*result);
    duckdb::DataChunk pending;
    pending.Initialize(duckdb::Allocator::DefaultAllocator(), result->types, batch_rows);
    auto impl = std::make_unique<Batch::Impl>();
    impl->chunk = &pending;
    impl->names.assign(result->names.begin(), result->names.end());
    impl->properties = con_.context->GetClientProperties();
    Batch batch(std::move(impl));
    auto emit = [&] {
      try {
        on_batch(batch);
      } catch (...) {
        result.reset();  // close the stream before the exception goes on
        throw;
      }
      pending.Reset();
    };
    while (true) {
      auto chunk = next_chunk(*result);
      if (!chunk) break;
      // Fill batches of exactly batch_rows, across chunk (and file) boundaries.
      for (duckdb::idx_t offset = 0; offset < chunk->size();) {
        duckdb::idx_t take =
            std::min<duckdb::idx_t>(batch_rows - pending.size(), chunk->size() - offset);
        duckdb::SelectionVector sel(take);
        for (duckdb::idx_t i = 0; i < take; i++) sel.set_index(i, offset + i);
        pending.Append(*chunk, false, &sel, take);
        offset += take;
        if (pending.size() == batch_rows) emit();
      }
    }
    if (pending.size() > 0) emit();
    result.reset();
  }

  std::unique_ptr<Batch> query_batch(const std::string& sql) override {
    auto result = con_.SendQuery(sql);
    check(*result);
    auto impl = std::make_unique<Batch::Impl>();
    impl->owned = std::make_unique<duckdb::DataChunk>();
    impl->owned->Initialize(duckdb::Allocator::DefaultAllocator(), result->types);
    impl->chunk = impl->owned.get();
    impl->names.assign(result->names.begin(), result->names.end());
    impl->properties = con_.context->GetClientProperties();
    while (auto chunk = next_chunk(*result)) impl->chunk->Append(*chunk, /*resize=*/true);
    return std::make_unique<Batch>(std::move(impl));
  }

  void export_arrow_stream(const std::string& sql, size_t batch_rows,
                           ArrowArrayStream* out) override {
    auto result = con_.SendQuery(sql);
    check(*result);
    // DuckDB's own exporter: it converts each chunk as it is fetched; the wrapper is freed
    // by the stream's release.
    auto* wrapper = new duckdb::ResultArrowArrayStreamWrapper(std::move(result), batch_rows);
    *out = wrapper->stream;
  }

  std::unique_ptr<ArrowSink> create_arrow_sink() override {
    return make_arrow_sink(db_, "__arrow_" + std::to_string(next_sink_++));
  }

  std::unique_ptr<RowSink> create_sink(
      const std::vector<std::pair<std::string, std::string>>& columns) override {
    std::string table = "__rows_" + std::to_string(next_sink_++);
    std::string ddl = "CREATE TEMP TABLE " + table + " (";
    for (size_t i = 0; i < columns.size(); i++)
      ddl += (i ? ", " : "") + sql_identifier(columns[i].first) + " " + columns[i].second;
    return std::make_unique<DuckRowSink>(db_, ddl + ")", table, columns.size());
  }

  bool is_volatile(const std::string& sql) override {
    for (auto& statement : split_statements(sql)) {
      Table t = query("SELECT json_serialize_sql(" + sql_string(statement) + ")");
      Json tree = Json::parse(t.rows.at(0).at(0).as_string(), nullptr, /*allow_exceptions=*/false);
      if (tree.is_discarded() || tree.value("error", true)) {
        if (text_may_be_volatile(statement)) return true;
      } else if (serialized_query_is_volatile(tree)) {
        return true;
      }
    }
    return false;
  }

  std::vector<std::string> statement_types(const std::string& sql) override {
    std::vector<std::string> out;
    for (auto& s : extract(sql)) out.push_back(duckdb::StatementTypeToString(s->type));
    return out;
  }

  std::vector<std::string> split_statements(const std::string& sql) override {
    std::vector<std::string> out;
    for (auto& s : extract(sql)) {
      std::string text = trim(s->query.substr(s->stmt_location, s->stmt_length));
      while (!text.empty() && text.back() == ';') text = trim(text.substr(0, text.size() - 1));
      if (!text.empty()) out.push_back(text);
    }
    return out;
  }

 private:
  std::vector<duckdb::unique_ptr<duckdb::SQLStatement>> extract(const std::string& sql) {
    try {
      return con_.ExtractStatements(sql);
    } catch (std::exception& e) {
      duckdb::ErrorData error(e);
      raise(error);
    }
  }

  duckdb::DuckDB& db_;
  duckdb::Connection con_;
  MemoryTables& memory_;
  int next_sink_ = 0;
};

}  // namespace

struct Engine::Impl {
  duckdb::DBConfig config;
  std::unique_ptr<duckdb::DuckDB> db;
  duckdb::shared_ptr<MemoryTables> memory = duckdb::make_shared_ptr<MemoryTables>();
  duckdb::shared_ptr<InputRelations> inputs = duckdb::make_shared_ptr<InputRelations>();
  std::string temp_directory;  // set by the first connection that named one
  bool sandboxed = false;      // the last connect() set a sandbox
  // The files whose footers stay cached, most recently read first (forget_old_footers).
  std::list<std::string> recent_files;
  std::unordered_map<std::string, std::list<std::string>::iterator> recent_index;
  explicit Impl(bool preserve_order) {
    config.SetOptionByName("preserve_insertion_order", duckdb::Value::BOOLEAN(preserve_order));
    // Extensions cannot be fetched where smallpond runs; fail clearly instead of trying.
    config.SetOptionByName("autoinstall_known_extensions", duckdb::Value::BOOLEAN(false));
    config.SetOptionByName("autoload_known_extensions", duckdb::Value::BOOLEAN(false));
    InputRelations::register_scan(config, inputs);
    db = std::make_unique<duckdb::DuckDB>(nullptr, &config);
    // A file read by several tasks of one executor (row ranges of it, a sample then a
    // partition) has its footer parsed once. A file replaced while a job reads it is still
    // caught: every task checks its inputs' fingerprints after its query (exec/input_check.h).
    // The cache never evicts: forget_old_footers bounds it.
    duckdb::Connection(*db).Query("SET GLOBAL parquet_metadata_cache = true");
    // DuckDB's cache of the files' bytes would keep every file an executor read, up to its
    // memory limit (1.4 GB after 64 000 small files): the kernel's page cache already keeps
    // local files, and an executor's memory is for its queries.
    duckdb::Connection(*db).Query("SET GLOBAL enable_external_file_cache = false");
    MemoryTables::register_scan(*db, memory);
    register_chunk_file_scan(*db);
    register_chunk_file_copy(*db);
    register_parquet_bucket_copy(*db);
  }
};

Engine::Engine(bool preserve_order) {
  try {
    impl_ = std::make_unique<Impl>(preserve_order);
  } catch (std::exception& e) {
    throw Error(std::string("cannot start DuckDB: ") + e.what());
  }
}

void Engine::forget_old_footers(const std::vector<std::string>& files_read, size_t keep) {
  auto& recent = impl_->recent_files;
  auto& index = impl_->recent_index;
  for (auto& path : files_read) {
    auto known = index.find(path);
    if (known != index.end()) recent.erase(known->second);
    recent.push_front(path);
    index[path] = recent.begin();
  }
  auto& cache = impl_->db->instance->GetObjectCache();
  while (recent.size() > keep) {
    cache.Delete(recent.back());  // the footer cache's key is the path as the query read it
    index.erase(recent.back());
    recent.pop_back();
  }
}

bool Engine::caches_footer_of(const std::string& path) const {
  return impl_->db->instance->GetObjectCache().GetObject(path) != nullptr;
}

Engine::~Engine() = default;

void Engine::register_scalar_function(const std::string& name,
                                      const std::vector<std::string>& arg_types,
                                      const std::string& return_type, ScalarFn fn) {
  try {
    duckdb::vector<duckdb::LogicalType> args;
    for (auto& t : arg_types) args.push_back(duckdb::TransformStringToLogicalType(t));
    duckdb::LogicalType ret = duckdb::TransformStringToLogicalType(return_type);
    duckdb::scalar_function_t body = [fn, ret](duckdb::DataChunk& input, duckdb::ExpressionState&,
                                               duckdb::Vector& result) {
      std::vector<Value> values(input.ColumnCount());
      for (duckdb::idx_t row = 0; row < input.size(); row++) {
        for (duckdb::idx_t c = 0; c < input.ColumnCount(); c++)
          values[c] = to_value(input.GetValue(c, row));
        result.SetValue(row, to_duck(fn(values)).DefaultCastAs(ret));
      }
    };
    create_or_replace_function(*impl_->db, duckdb::ScalarFunction(name, args, ret, body));
  } catch (const Error&) {
    throw;
  } catch (std::exception& e) {
    duckdb::ErrorData error(e);
    throw EngineError("cannot register function '" + name + "': " + error.Message(),
                      ErrorCode::InvalidInput);
  }
}

void Engine::register_scalar_batch_function(const std::string& name,
                                            const std::vector<std::string>& arg_types,
                                            const std::string& return_type, ScalarBatchFn fn,
                                            const Row& params) {
  try {
    duckdb::vector<duckdb::LogicalType> args;
    for (auto& t : arg_types) args.push_back(duckdb::TransformStringToLogicalType(t));
    duckdb::LogicalType ret = duckdb::TransformStringToLogicalType(return_type);
    auto shared_params = std::make_shared<const Row>(params);
    duckdb::scalar_function_t body = [fn, ret, shared_params, name](duckdb::DataChunk& input,
                                                                    duckdb::ExpressionState& state,
                                                                    duckdb::Vector& result) {
      // The chunk as a Batch, lent for the call (its columns named arg0, arg1, ...).
      auto impl = std::make_unique<Batch::Impl>();
      impl->chunk = &input;
      for (duckdb::idx_t c = 0; c < input.ColumnCount(); c++)
        impl->names.push_back("arg" + std::to_string(c));
      impl->properties = state.GetContext().GetClientProperties();
      Batch batch(std::move(impl));
      std::vector<Value> values = fn(batch, *shared_params);
      if (values.size() != input.size())
        throw InvalidInputError("function '" + name + "' returned " +
                                std::to_string(values.size()) + " values for " +
                                std::to_string(input.size()) + " rows");
      for (duckdb::idx_t row = 0; row < input.size(); row++)
        result.SetValue(row, to_duck(values[row]).DefaultCastAs(ret));
    };
    create_or_replace_function(*impl_->db, duckdb::ScalarFunction(name, args, ret, body));
  } catch (const Error&) {
    throw;
  } catch (std::exception& e) {
    duckdb::ErrorData error(e);
    throw EngineError("cannot register function '" + name + "': " + error.Message(),
                      ErrorCode::InvalidInput);
  }
}

void Engine::set_input_relations(std::map<std::string, std::string> relations) {
  impl_->inputs->set(std::move(relations));
}

void Engine::register_range_function(const std::string& name,
                                     std::vector<RangeBoundary> boundaries) {
  try {
    create_or_replace_function(*impl_->db, range_function(name, std::move(boundaries)));
  } catch (std::exception& e) {
    duckdb::ErrorData error(e);
    throw EngineError("cannot register function '" + name + "': " + error.Message(),
                      ErrorCode::Internal);
  }
}

std::unique_ptr<EngineConnection> Engine::connect(const EngineLimits& limits) {
  // The settings below are DuckDB's, database-wide; a sandbox left by the previous task is
  // lifted for them (from here, not from SQL: locked settings cannot be changed in SQL).
  // Left alone when no sandbox was or is asked for (the driver's engine, used from several
  // threads of a program, never has one).
  auto& config = duckdb::DBConfig::GetConfig(*impl_->db->instance);
  if (impl_->sandboxed || limits.sandbox) {
    config.options.lock_configuration = false;
    config.options.enable_external_access = true;
    config.options.allowed_paths.clear();
    config.options.allowed_directories.clear();
    impl_->sandboxed = false;
  }
  auto con = std::make_unique<DuckConnection>(*impl_->db, *impl_->memory);
  // Only what differs from the database's settings now (a task's SQL may have changed them):
  // SET statements cost a parse each, a noticeable part of a tiny task.
  std::string setup;
  const int64_t threads = limits.threads < 1 ? 1 : limits.threads;
  if (config.options.maximum_threads != static_cast<duckdb::idx_t>(threads))
    setup += "SET threads = " + std::to_string(threads) + ";";
  const int64_t memory_mib = limits.memory_limit / (1 << 20);
  if (limits.memory_limit > 0 &&
      config.options.maximum_memory != static_cast<duckdb::idx_t>(memory_mib) << 20)
    setup += "SET memory_limit = '" + std::to_string(memory_mib) + "MiB';";
  bool new_temp = !limits.temp_directory.empty() && limits.temp_directory != impl_->temp_directory;
  if (new_temp) setup += "SET temp_directory = " + sql_string(limits.temp_directory) + ";";
  if (!setup.empty()) con->execute(setup);
  if (new_temp) impl_->temp_directory = limits.temp_directory;
  if (limits.sandbox) {
    for (auto& path : limits.readable) config.AddAllowedPath(path);
    for (auto& dir : limits.writable) config.AddAllowedDirectory(dir);
    if (!impl_->temp_directory.empty()) config.AddAllowedDirectory(impl_->temp_directory);
    config.options.enable_external_access = false;
    config.options.lock_configuration = true;
    impl_->sandboxed = true;
  }
  return con;
}

}  // namespace smallpond

namespace smallpond {

bool Engine::has_memory_table(const std::string& name) const {
  return impl_->memory->get(name) != nullptr;
}

bool Engine::drop_memory_table(const std::string& name) { return impl_->memory->erase(name); }

std::string Engine::export_memory_table(const std::string& name) const {
  auto table = impl_->memory->get(name);
  if (!table) throw Error("in-memory table " + name + " is not here");
  return table->data;
}

void Engine::import_memory_table(const std::string& name, const std::string& bytes) {
  try {
    impl_->memory->put(name, MemoryTable::parse(bytes));
  } catch (const Error&) {
    throw;
  } catch (std::exception& e) {
    duckdb::ErrorData error(e);
    throw EngineError("cannot import in-memory table " + name + ": " + error.Message(),
                      ErrorCode::Io);
  }
}

}  // namespace smallpond
