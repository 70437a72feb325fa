// DuckDB's Arrow definitions first: they include the stream interface this file needs.
#include "engine/arrow_sink.h"

#include <duckdb/common/arrow/arrow.hpp>
#include <duckdb/function/table/arrow.hpp>

#include "common/strings.h"

namespace smallpond {

namespace {

// One array offered to arrow_scan. It owns both structs until DuckDB takes the array (at its
// first get_next); the schema is lent out as shallow copies whose release does nothing.
struct OneArray {
  ArrowSchema schema{};
  ArrowArray array{};
  ~OneArray() {
    if (array.release) array.release(&array);
    if (schema.release) schema.release(&schema);
  }
};

void release_lent_schema(ArrowSchema* s) { s->release = nullptr; }

void lend_schema(OneArray& source, ArrowSchema* out) {
  *out = source.schema;
  out->release = release_lent_schema;  // the children stay the source's
}

int stream_get_schema(ArrowArrayStream* stream, ArrowSchema* out) {
  lend_schema(*static_cast<OneArray*>(stream->private_data), out);
  return 0;
}

int stream_get_next(ArrowArrayStream* stream, ArrowArray* out) {
  auto* source = static_cast<OneArray*>(stream->private_data);
  *out = source->array;             // moved: DuckDB releases it now
  source->array.release = nullptr;  // ... and the second call reports the end
  return 0;
}

const char* stream_last_error(ArrowArrayStream*) { return nullptr; }
void stream_release(ArrowArrayStream* stream) { stream->release = nullptr; }

duckdb::unique_ptr<duckdb::ArrowArrayStreamWrapper> produce(uintptr_t factory,
                                                            duckdb::ArrowStreamParameters&) {
  auto wrapper = duckdb::make_uniq<duckdb::ArrowArrayStreamWrapper>();
  auto& s = wrapper->arrow_array_stream;
  s.get_schema = stream_get_schema;
  s.get_next = stream_get_next;
  s.get_last_error = stream_last_error;
  s.release = stream_release;
  s.private_data = reinterpret_cast<void*>(factory);
  wrapper->number_of_rows = reinterpret_cast<OneArray*>(factory)->array.length;
  return wrapper;
}

void factory_schema(ArrowArrayStream* factory, ArrowSchema& out) {
  lend_schema(*reinterpret_cast<OneArray*>(factory), &out);
}

class DuckArrowSink : public ArrowSink {
 public:
  DuckArrowSink(duckdb::DuckDB& db, std::string table) : con_(db), table_(std::move(table)) {}
  ~DuckArrowSink() override {
    if (created_) con_.Query("DROP TABLE IF EXISTS " + sql_identifier(table_));
  }

  int64_t append(ArrowSchema* schema, ArrowArray* array) override {
    OneArray source;
    source.schema = *schema;
    schema->release = nullptr;  // ours now
    if (array) {
      source.array = *array;
      array->release = nullptr;
    }
    if (!source.schema.release || (array && !source.array.release))
      throw InvalidInputError("the function returned no Arrow array (released or not set)");
    if (source.schema.format == nullptr || std::string(source.schema.format) != "+s")
      throw InvalidInputError("the function's Arrow output must be a struct array (format '+s')");
    int64_t rows = source.array.length;
    try {
      auto relation = con_.TableFunction(
          "arrow_scan", {duckdb::Value::POINTER(reinterpret_cast<uintptr_t>(&source)),
                         duckdb::Value::POINTER(reinterpret_cast<uintptr_t>(&produce)),
                         duckdb::Value::POINTER(reinterpret_cast<uintptr_t>(&factory_schema))});
      if (created_) {
        relation->Insert(table_);
      } else {
        relation->Create(table_, /*temporary=*/true);
        created_ = true;
      }
    } catch (std::exception& e) {
      duckdb::ErrorData error(e);
      throw EngineError("cannot take the function's Arrow output: " + error.Message(),
                        ErrorCode::InvalidInput);
    }
    return rows;
  }

  bool has_columns() const override { return created_; }

  int64_t write_parquet(const std::string& path) override {
    auto result = con_.Query("COPY " + sql_identifier(table_) + " TO " + sql_string(path) +
                             " (FORMAT parquet)");
    if (result->HasError()) throw EngineError(result->GetError(), ErrorCode::Io);
    return result->GetValue(0, 0).GetValue<int64_t>();
  }

 private:
  duckdb::Connection con_;
  std::string table_;
  bool created_ = false;
};

}  // namespace

std::unique_ptr<ArrowSink> make_arrow_sink(duckdb::DuckDB& db, const std::string& table) {
  return std::make_unique<DuckArrowSink>(db, table);
}

}  // namespace smallpond
