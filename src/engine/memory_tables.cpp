#include "duckdb/common/serializer/binary_deserializer.hpp"
#include "duckdb/common/serializer/binary_serializer.hpp"
#include "duckdb/common/serializer/memory_stream.hpp"
#include "duckdb/common/vector_operations/vector_operations.hpp"
#include "duckdb/parser/parsed_data/create_table_function_info.hpp"
#include "engine/chunk_scan_internal.h"
#include "engine/memory_tables_internal.h"
#include "smallpond/error.h"

namespace smallpond {

void MemoryTables::put(const std::string& name, std::shared_ptr<const MemoryTable> table) {
  std::lock_guard<std::mutex> lock(mutex_);
  tables_[name] = std::move(table);
}

std::shared_ptr<const MemoryTable> MemoryTables::get(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : it->second;
}

bool MemoryTables::erase(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  return tables_.erase(name) > 0;
}

namespace {

uint64_t get_length(const std::string& in, size_t at) {
  if (at + 8 > in.size()) throw smallpond::InternalError("in-memory table: truncated bytes");
  uint64_t n = 0;
  for (int i = 0; i < 8; i++) n |= uint64_t(static_cast<unsigned char>(in[at + i])) << (8 * i);
  if (n > in.size() - at - 8) throw smallpond::InternalError("in-memory table: truncated bytes");
  return n;
}

}  // namespace

MemoryTable::MemoryTable(duckdb::vector<std::string> names_,
                         duckdb::vector<duckdb::LogicalType> types_)
    : names(std::move(names_)), types(std::move(types_)) {
  put_serialized(data, [&](duckdb::Serializer& s) {
    s.WriteProperty(100, "names", names);
    s.WriteProperty(101, "types", types);
  });
  chunks_at = data.size();
}

void MemoryTable::append(duckdb::DataChunk& chunk) {
  if (chunk.size() == 0) return;
  put_serialized(data, [&](duckdb::Serializer& s) { chunk.Serialize(s); });
  rows += static_cast<int64_t>(chunk.size());
}

std::shared_ptr<const MemoryTable> MemoryTable::parse(std::string bytes) {
  uint64_t len = get_length(bytes, 0);
  duckdb::MemoryStream stream(reinterpret_cast<duckdb::data_ptr_t>(&bytes[8]), len);
  duckdb::BinaryDeserializer in(stream);
  in.Begin();
  auto names = in.ReadProperty<duckdb::vector<std::string>>(100, "names");
  auto types = in.ReadProperty<duckdb::vector<duckdb::LogicalType>>(101, "types");
  in.End();
  auto table = std::make_shared<MemoryTable>(std::move(names), std::move(types));
  table->chunks_at = 8 + len;
  table->data = std::move(bytes);
  for (size_t at = table->chunks_at; at < table->data.size();)  // check the framing
    at += 8 + get_length(table->data, at);
  return table;
}

bool MemoryTable::read_chunk(size_t* offset, duckdb::DataChunk& chunk) const {
  if (*offset >= data.size()) return false;
  uint64_t len = get_length(data, *offset);
  duckdb::MemoryStream stream(
      reinterpret_cast<duckdb::data_ptr_t>(const_cast<char*>(data.data() + *offset + 8)), len);
  duckdb::BinaryDeserializer in(stream);
  chunk.Destroy();
  in.Begin();
  chunk.Deserialize(in);
  in.End();
  *offset += 8 + len;
  return true;
}

namespace {

struct ScanData : duckdb::TableFunctionData {
  std::vector<std::shared_ptr<const MemoryTable>> parts;
};

struct ScanState : duckdb::GlobalTableFunctionState {
  size_t part = 0;
  size_t offset = 0;  // of the next chunk in the part's bytes
  bool open = false;
  duckdb::DataChunk chunk;
};

duckdb::unique_ptr<duckdb::FunctionData> bind_scan(duckdb::ClientContext&,
                                                   duckdb::TableFunctionBindInput& input,
                                                   duckdb::vector<duckdb::LogicalType>& types,
                                                   duckdb::vector<std::string>& names) {
  auto& tables = input.info->Cast<MemoryTables>();
  auto data = duckdb::make_uniq<ScanData>();
  for (auto& v : duckdb::ListValue::GetChildren(input.inputs[0])) {
    std::string name = v.GetValue<std::string>();
    auto table = tables.get(name);
    if (!table)
      throw duckdb::BinderException("in-memory input " + name + " is not in this executor");
    if (data->parts.empty()) {
      types = table->types;
      names = table->names;
    } else if (!widen_types(types, table->types)) {
      throw duckdb::BinderException("in-memory inputs differ in their number of columns");
    }
    data->parts.push_back(std::move(table));
  }
  if (data->parts.empty()) throw duckdb::BinderException("no in-memory input named");
  return std::move(data);
}

duckdb::unique_ptr<duckdb::GlobalTableFunctionState> init_scan(duckdb::ClientContext&,
                                                               duckdb::TableFunctionInitInput&) {
  return duckdb::make_uniq<ScanState>();
}

void scan(duckdb::ClientContext& context, duckdb::TableFunctionInput& input,
          duckdb::DataChunk& output) {
  auto& data = input.bind_data->Cast<ScanData>();
  auto& state = input.global_state->Cast<ScanState>();
  while (state.part < data.parts.size()) {
    auto& part = *data.parts[state.part];
    if (!state.open) {
      state.offset = part.chunks_at;
      state.open = true;
    }
    if (part.read_chunk(&state.offset, state.chunk)) {
      emit_chunk(context, state.chunk, part.types,
                 output);  // state.chunk lives until the next call
      return;
    }
    state.part++;
    state.open = false;
  }
  output.SetCardinality(0);
}

}  // namespace

void MemoryTables::register_scan(duckdb::DuckDB& db, duckdb::shared_ptr<MemoryTables> tables) {
  duckdb::TableFunction fn("__smallpond_memory",
                           {duckdb::LogicalType::LIST(duckdb::LogicalType::VARCHAR)}, scan,
                           bind_scan, init_scan);
  fn.function_info = std::move(tables);
  register_table_function(db, fn);
}

bool widen_types(duckdb::vector<duckdb::LogicalType>& types,
                 const duckdb::vector<duckdb::LogicalType>& more) {
  if (types.size() != more.size()) return false;
  for (size_t c = 0; c < types.size(); c++)
    types[c] = duckdb::LogicalType::ForceMaxLogicalType(types[c], more[c]);
  return true;
}

void emit_chunk(duckdb::ClientContext& context, duckdb::DataChunk& chunk,
                const duckdb::vector<duckdb::LogicalType>& types, duckdb::DataChunk& output) {
  if (types == output.GetTypes()) {
    output.Reference(chunk);
    return;
  }
  for (duckdb::idx_t c = 0; c < output.ColumnCount(); c++)
    duckdb::VectorOperations::Cast(context, chunk.data[c], output.data[c], chunk.size());
  output.SetCardinality(chunk.size());
}

void register_table_function(duckdb::DuckDB& db, const duckdb::TableFunction& fn) {
  duckdb::Connection con(db);
  con.context->RunFunctionInTransaction([&] {
    duckdb::CreateTableFunctionInfo info(fn);
    auto& catalog = duckdb::Catalog::GetSystemCatalog(*con.context);
    catalog.CreateTableFunction(*con.context, info);
  });
}

}  // namespace smallpond
