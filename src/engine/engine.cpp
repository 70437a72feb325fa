#include "engine/engine.h"

#include <duckdb.hpp>

#include "common/strings.h"

namespace smallpond {

namespace {

bool is_retryable(duckdb::ExceptionType type) {
  switch (type) {
    case duckdb::ExceptionType::IO:
    case duckdb::ExceptionType::OUT_OF_MEMORY:
    case duckdb::ExceptionType::INTERRUPT:
    case duckdb::ExceptionType::CONNECTION:
    case duckdb::ExceptionType::NETWORK:
    case duckdb::ExceptionType::HTTP:
    case duckdb::ExceptionType::FATAL:
    case duckdb::ExceptionType::INTERNAL:
      return true;
    default:
      return false;
  }
}

[[noreturn]] void raise(duckdb::ErrorData& error) {
  auto type = error.Type();
  throw EngineError(error.Message(), is_retryable(type),
                    type == duckdb::ExceptionType::OUT_OF_MEMORY);
}

template <class Result>
void check(Result& result) {
  if (result.HasError()) raise(result.GetErrorObject());
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

class DuckConnection : public EngineConnection {
 public:
  explicit DuckConnection(duckdb::DuckDB& db) : con_(db) {}

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

  duckdb::Connection con_;
};

}  // namespace

struct Engine::Impl {
  duckdb::DBConfig config;
  std::unique_ptr<duckdb::DuckDB> db;
  explicit Impl(bool preserve_order) {
    config.SetOptionByName("preserve_insertion_order", duckdb::Value::BOOLEAN(preserve_order));
    // Extensions cannot be fetched where smallpond runs; fail clearly instead of trying.
    config.SetOptionByName("autoinstall_known_extensions", duckdb::Value::BOOLEAN(false));
    config.SetOptionByName("autoload_known_extensions", duckdb::Value::BOOLEAN(false));
    db = std::make_unique<duckdb::DuckDB>(nullptr, &config);
  }
};

Engine::Engine(bool preserve_order) {
  try {
    impl_ = std::make_unique<Impl>(preserve_order);
  } catch (std::exception& e) {
    throw Error(std::string("cannot start DuckDB: ") + e.what());
  }
}

Engine::~Engine() = default;

std::unique_ptr<EngineConnection> Engine::connect(const EngineLimits& limits) {
  auto con = std::make_unique<DuckConnection>(*impl_->db);
  std::string setup = "SET threads = " + std::to_string(limits.threads < 1 ? 1 : limits.threads) + ";";
  if (limits.memory_limit > 0)
    setup += "SET memory_limit = '" + std::to_string(limits.memory_limit / (1 << 20)) + "MiB';";
  if (!limits.temp_directory.empty())
    setup += "SET temp_directory = " + sql_string(limits.temp_directory) + ";";
  con->execute(setup);
  return con;
}

}  // namespace smallpond
