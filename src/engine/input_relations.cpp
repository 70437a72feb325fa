#include "duckdb/parser/parser.hpp"
#include "duckdb/parser/statement/select_statement.hpp"
#include "duckdb/parser/tableref/subqueryref.hpp"
#include "engine/input_relations_internal.h"

namespace smallpond {

namespace {

struct InputRelationsData : public duckdb::ReplacementScanData {
  explicit InputRelationsData(duckdb::shared_ptr<InputRelations> r) : relations(std::move(r)) {}
  duckdb::shared_ptr<InputRelations> relations;
};

duckdb::unique_ptr<duckdb::TableRef> input_scan(
    duckdb::ClientContext&, duckdb::ReplacementScanInput& input,
    duckdb::optional_ptr<duckdb::ReplacementScanData> data) {
  if (!data || !input.catalog_name.empty() || !input.schema_name.empty()) return nullptr;
  std::string query = data->Cast<InputRelationsData>().relations->query_of(input.table_name);
  if (query.empty()) return nullptr;
  duckdb::Parser parser;
  parser.ParseQuery(query);
  if (parser.statements.size() != 1 ||
      parser.statements[0]->type != duckdb::StatementType::SELECT_STATEMENT)
    return nullptr;  // not a query: DuckDB then reports the name as unknown
  auto select = duckdb::unique_ptr_cast<duckdb::SQLStatement, duckdb::SelectStatement>(
      std::move(parser.statements[0]));
  return duckdb::make_uniq<duckdb::SubqueryRef>(std::move(select), input.table_name);
}

}  // namespace

void InputRelations::set(std::map<std::string, std::string> relations) {
  std::lock_guard<std::mutex> lock(mutex_);
  relations_ = std::move(relations);
}

std::string InputRelations::query_of(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = relations_.find(name);
  return it == relations_.end() ? "" : it->second;
}

void InputRelations::register_scan(duckdb::DBConfig& config,
                                   duckdb::shared_ptr<InputRelations> relations) {
  config.replacement_scans.emplace_back(
      input_scan, duckdb::make_uniq<InputRelationsData>(std::move(relations)));
}

}  // namespace smallpond
