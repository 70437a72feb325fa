// The __smallpond_parquet_buckets copy function (engine/parquet_buckets_internal.h): DuckDB's
// Parquet copy function, found in the catalog, driven once per bucket.

#include <mutex>

#include "duckdb/catalog/catalog.hpp"
#include "duckdb/catalog/catalog_entry/copy_function_catalog_entry.hpp"
#include "duckdb/function/copy_function.hpp"
#include "duckdb/main/client_context.hpp"
#include "duckdb/parser/parsed_data/create_copy_function_info.hpp"
#include "engine/bucket_rows_internal.h"
#include "engine/duckdb_error_internal.h"
#include "engine/parquet_buckets_internal.h"

namespace smallpond {

namespace {

constexpr duckdb::idx_t kDefaultFlushRows = 524288;  // DuckDB's partitioned_write_flush_threshold

const duckdb::CopyFunction& parquet_copy(duckdb::ClientContext& context) {
  auto& entry =
      duckdb::Catalog::GetSystemCatalog(context).GetEntry<duckdb::CopyFunctionCatalogEntry>(
          context, DEFAULT_SCHEMA, "parquet");
  return entry.function;
}

struct BucketsBind : duckdb::FunctionData {
  int n = 0;
  duckdb::idx_t row_group_rows = DEFAULT_ROW_GROUP_SIZE;  // as the Parquet writer flushes
  duckdb::idx_t flush_rows = kDefaultFlushRows;           // buffered by a thread at most
  duckdb::CopyFunction parquet{"parquet"};
  duckdb::unique_ptr<duckdb::FunctionData> parquet_bind;

  duckdb::unique_ptr<duckdb::FunctionData> Copy() const override {
    auto copy = duckdb::make_uniq<BucketsBind>();
    copy->n = n;
    copy->row_group_rows = row_group_rows;
    copy->flush_rows = flush_rows;
    copy->parquet = parquet;
    copy->parquet_bind = parquet_bind->Copy();
    return std::move(copy);
  }
  bool Equals(const duckdb::FunctionData& other) const override {
    auto& o = other.Cast<BucketsBind>();
    return n == o.n && flush_rows == o.flush_rows && parquet_bind->Equals(*o.parquet_bind);
  }
};

// One Parquet writer per bucket, each opened when its bucket first gets rows.
struct BucketsGlobal : duckdb::GlobalFunctionData {
  std::string dir;
  std::mutex mutex;  // guards opening writers
  std::vector<duckdb::unique_ptr<duckdb::GlobalFunctionData>> writers;
};

// A thread's buffers, one per bucket, handed to the writers (the Parquet copy's combine) when
// the thread holds flush_rows rows.
struct BucketsLocal : duckdb::LocalFunctionData {
  std::vector<duckdb::unique_ptr<duckdb::LocalFunctionData>> buffers;
  std::vector<duckdb::GlobalFunctionData*> writers;  // this thread's view of BucketsGlobal's
  std::vector<duckdb::idx_t> buffered;               // rows in each buffer, as the writer counts
  duckdb::idx_t buffered_total = 0;
  BucketRows rows;
  duckdb::DataChunk slice;  // one bucket's rows of a chunk, without the bucket column
};

duckdb::unique_ptr<duckdb::FunctionData> bind(duckdb::ClientContext& context,
                                              duckdb::CopyFunctionBindInput& input,
                                              const duckdb::vector<std::string>& names,
                                              const duckdb::vector<duckdb::LogicalType>& types) {
  auto data = duckdb::make_uniq<BucketsBind>();
  duckdb::CopyInfo parquet_info;  // every option but BUCKETS, for the Parquet writer
  for (auto& [option, values] : input.info.options) {
    auto name = duckdb::StringUtil::Lower(option);
    if (name == "buckets") {
      if (values.size() != 1) throw duckdb::BinderException("BUCKETS takes one number");
      data->n = values[0].GetValue<int32_t>();
      continue;
    }
    if ((name == "row_group_size" || name == "chunk_size") && values.size() == 1)
      data->row_group_rows = values[0].GetValue<uint64_t>();
    parquet_info.options[option] = values;
  }
  if (data->n <= 0)
    throw duckdb::BinderException(std::string(kParquetBucketsFormat) + " needs BUCKETS n (n > 0)");
  if (types.empty() || types.back() != duckdb::LogicalType::INTEGER)
    throw duckdb::BinderException(std::string(kParquetBucketsFormat) +
                                  ": the last column must be an INTEGER bucket");
  duckdb::Value threshold;
  if (context.TryGetCurrentSetting("partitioned_write_flush_threshold", threshold))
    data->flush_rows = std::max<duckdb::idx_t>(threshold.GetValue<uint64_t>(), 1);
  data->parquet = parquet_copy(context);
  duckdb::CopyFunctionBindInput parquet_input(parquet_info);
  duckdb::vector<std::string> written_names(names.begin(), names.end() - 1);
  duckdb::vector<duckdb::LogicalType> written_types(types.begin(), types.end() - 1);
  data->parquet_bind =
      data->parquet.copy_to_bind(context, parquet_input, written_names, written_types);
  return std::move(data);
}

duckdb::unique_ptr<duckdb::GlobalFunctionData> init_global(duckdb::ClientContext&,
                                                           duckdb::FunctionData& bind_data,
                                                           const std::string& file_path) {
  auto global = duckdb::make_uniq<BucketsGlobal>();
  auto slash = file_path.find_last_of('/');
  global->dir = slash == std::string::npos ? "." : file_path.substr(0, slash);
  global->writers.resize(bind_data.Cast<BucketsBind>().n);
  return std::move(global);
}

duckdb::unique_ptr<duckdb::LocalFunctionData> init_local(duckdb::ExecutionContext&,
                                                         duckdb::FunctionData& bind_data) {
  auto local = duckdb::make_uniq<BucketsLocal>();
  int n = bind_data.Cast<BucketsBind>().n;
  local->buffers.resize(n);
  local->writers.resize(n, nullptr);
  local->buffered.resize(n, 0);
  return std::move(local);
}

// Hands every buffer of the thread to its writer: a buffer of half a row group or more becomes
// a row group, a smaller one joins the writer's shared remainder.
void hand_over(duckdb::ExecutionContext& context, BucketsBind& data, BucketsLocal& local) {
  for (size_t k = 0; k < local.buffers.size(); k++) {
    if (!local.buffers[k]) continue;
    data.parquet.copy_to_combine(context, *data.parquet_bind, *local.writers[k], *local.buffers[k]);
    local.buffers[k].reset();
    local.buffered[k] = 0;
  }
  local.buffered_total = 0;
}

void sink(duckdb::ExecutionContext& context, duckdb::FunctionData& bind_data,
          duckdb::GlobalFunctionData& gstate, duckdb::LocalFunctionData& lstate,
          duckdb::DataChunk& input) {
  auto& data = bind_data.Cast<BucketsBind>();
  auto& global = gstate.Cast<BucketsGlobal>();
  auto& local = lstate.Cast<BucketsLocal>();
  const duckdb::idx_t count = input.size();
  if (count == 0) return;
  const duckdb::idx_t bucket_column = input.ColumnCount() - 1;
  as_duckdb_error([&] { local.rows.group(input, bucket_column, data.n); });
  if (local.slice.ColumnCount() == 0) {
    duckdb::vector<duckdb::LogicalType> types = input.GetTypes();
    types.pop_back();
    local.slice.InitializeEmpty(types);
  }
  local.rows.for_each_run(count, [&](int k, duckdb::idx_t start, duckdb::idx_t end) {
    if (!local.buffers[k]) {
      if (!local.writers[k]) {
        std::lock_guard<std::mutex> lock(global.mutex);
        if (!global.writers[k])
          global.writers[k] = data.parquet.copy_to_initialize_global(
              context.client, *data.parquet_bind, parquet_bucket_path(global.dir, k));
        local.writers[k] = global.writers[k].get();
      }
      local.buffers[k] = data.parquet.copy_to_initialize_local(context, *data.parquet_bind);
    }
    duckdb::SelectionVector rows(local.rows.order.data() + start);
    for (duckdb::idx_t c = 0; c < bucket_column; c++)
      local.slice.data[c].Slice(input.data[c], rows, end - start);
    local.slice.SetCardinality(end - start);
    data.parquet.copy_to_sink(context, *data.parquet_bind, *local.writers[k], *local.buffers[k],
                              local.slice);
    // The writer turns its buffer into a row group once it holds a row group's rows.
    local.buffered[k] += end - start;
    local.buffered_total += end - start;
    if (local.buffered[k] >= data.row_group_rows) {
      local.buffered_total -= local.buffered[k];
      local.buffered[k] = 0;
    }
  });
  if (local.buffered_total > data.flush_rows) hand_over(context, data, local);
}

void combine(duckdb::ExecutionContext& context, duckdb::FunctionData& bind_data,
             duckdb::GlobalFunctionData&, duckdb::LocalFunctionData& lstate) {
  hand_over(context, bind_data.Cast<BucketsBind>(), lstate.Cast<BucketsLocal>());
}

void finalize(duckdb::ClientContext& context, duckdb::FunctionData& bind_data,
              duckdb::GlobalFunctionData& gstate) {
  auto& data = bind_data.Cast<BucketsBind>();
  auto& global = gstate.Cast<BucketsGlobal>();
  bool any = false;
  for (auto& writer : global.writers) {
    if (!writer) continue;
    data.parquet.copy_to_finalize(context, *data.parquet_bind, *writer);
    any = true;
  }
  if (!any) {
    auto schema = data.parquet.copy_to_initialize_global(context, *data.parquet_bind,
                                                         parquet_bucket_schema_path(global.dir));
    data.parquet.copy_to_finalize(context, *data.parquet_bind, *schema);
  }
}

duckdb::CopyFunctionExecutionMode execution_mode(bool preserve_insertion_order, bool) {
  // A bucket's rows come in no promised order; threads write at once unless order is kept.
  return preserve_insertion_order ? duckdb::CopyFunctionExecutionMode::REGULAR_COPY_TO_FILE
                                  : duckdb::CopyFunctionExecutionMode::PARALLEL_COPY_TO_FILE;
}

}  // namespace

std::string parquet_bucket_path(const std::string& dir, int k) {
  return dir + "/" + std::to_string(k) + ".parquet";
}

std::string parquet_bucket_schema_path(const std::string& dir) { return dir + "/schema.parquet"; }

void register_parquet_bucket_copy(duckdb::DuckDB& db) {
  duckdb::Connection con(db);
  con.context->RunFunctionInTransaction([&] {
    duckdb::CopyFunction fn(kParquetBucketsFormat);
    // Columns of types Parquet cannot hold are cast as FORMAT parquet casts them.
    fn.copy_to_select = parquet_copy(*con.context).copy_to_select;
    fn.copy_to_bind = bind;
    fn.copy_to_initialize_global = init_global;
    fn.copy_to_initialize_local = init_local;
    fn.copy_to_sink = sink;
    fn.copy_to_combine = combine;
    fn.copy_to_finalize = finalize;
    fn.execution_mode = execution_mode;
    duckdb::CreateCopyFunctionInfo info(fn);
    duckdb::Catalog::GetSystemCatalog(*con.context).CreateCopyFunction(*con.context, info);
  });
}

}  // namespace smallpond
