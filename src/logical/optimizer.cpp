#include "logical/optimizer.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/planning_engine.h"
#include "engine/sql_template.h"
#include "io/filesystem.h"
#include "logical/aggregate_split.h"
#include "logical/predicate_pushdown.h"
#include "logical/projection_pushdown.h"
#include "logical/row_local.h"

namespace smallpond {

namespace {

bool fusable_parent(const Node& n) {
  return n.kind == NodeKind::SqlEngine && n.inputs.size() == 1 && is_single_sql_statement(n.sql);
}

bool fusable_child(const Node& n) {
  return n.kind == NodeKind::SqlEngine && is_single_sql_statement(n.sql);
}

// A SQL step that a hash partition alone reads, to run inside the shuffle's producers when its
// query is row-local (checked apart, with DuckDB's parse).
bool foldable_into_shuffle(const Node& partition, const Node& sql, int sql_consumers,
                           bool sql_is_target) {
  return partition.kind == NodeKind::HashPartition && !partition.nested &&
         partition.function.is_null() && partition.inputs.size() == 1 &&
         partition.pre_aggregate.empty() && partition.pre_map.empty() &&
         sql.kind == NodeKind::SqlEngine && sql.inputs.size() == 1 && sql.udfs.empty() &&
         is_single_sql_statement(sql.sql) && sql_consumers == 1 && !sql_is_target;
}

// The combiner's case: a SQL step over a hash partition by columns that only it reads.
bool combinable(const Node& sql, const Node& partition, int partition_consumers,
                bool partition_is_target) {
  return sql.kind == NodeKind::SqlEngine && sql.inputs.size() == 1 && sql.udfs.empty() &&
         is_single_sql_statement(sql.sql) && partition.kind == NodeKind::HashPartition &&
         !partition.nested && partition.function.is_null() && partition.partition_by.empty() &&
         !partition.hash_columns.empty() && partition.pre_aggregate.empty() &&
         partition_consumers == 1 && !partition_is_target;
}

// The columns of a source step, as a query that reads none of its rows (its first file's, with
// the step's reading options): what the combiner checks its rewrite against. "" when not known
// here (another kind of input, files of differing columns, no file).
std::string source_columns(const Node& input) {
  if (input.kind != NodeKind::DataSource || input.load_partitioned || input.patterns.empty() ||
      input.source_options.union_by_name)
    return "";
  DataSet ds = input.source_options;
  auto files = expand_path(input.patterns.front(), file_extension(ds.format), "", input.recursive);
  if (files.empty()) return "";
  ds.files = {FileSlice(files.front().path)};
  try {
    return ds.sql() + " LIMIT 0";
  } catch (const std::exception&) {
    return "";
  }
}

std::string strip_semicolons(std::string sql) {
  while (!sql.empty() &&
         (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back()))))
    sql.pop_back();
  return sql;
}

// Columns the plan tells without running anything, as queries that read no rows. Each source's
// files are listed once however many rules ask (a source may hold a million files).
class KnownColumns {
 public:
  //! A source step's (source_columns), "" when not known.
  const std::string& source(const Node& input) {
    auto it = cache_.find(&input);
    if (it == cache_.end()) it = cache_.emplace(&input, source_columns(input)).first;
    return it->second;
  }
  //! A node's output: a source's, or a plain hash partition's of a source; "" otherwise.
  std::string of(const Node& node) {
    if (node.kind == NodeKind::DataSource) return source(node);
    if (node.kind == NodeKind::HashPartition && node.function.is_null() &&
        node.inputs.size() == 1 && node.inputs[0]->kind == NodeKind::DataSource)
      return source(*node.inputs[0]);
    return "";
  }

 private:
  std::map<const Node*, std::string> cache_;
};

// Projection pushdown's case: a hash partition of a source whose every reader is a SQL step, over
// it alone or beside inputs whose columns are known (a join of shuffles): the queries are
// checked by binding over all their inputs' columns.
bool prunable(const Node& partition, const std::vector<const Node*>& readers,
              bool partition_is_target) {
  if (partition.kind != NodeKind::HashPartition || !partition.function.is_null() ||
      partition_is_target || readers.empty() || partition.inputs.size() != 1)
    return false;
  return std::all_of(readers.begin(), readers.end(), [](const Node* r) {
    return r->kind == NodeKind::SqlEngine && !r->inputs.empty() && r->udfs.empty();
  });
}

// Predicate pushdown's case: a hash partition (no C++ function, nothing else running in its
// producers yet) that only this step reads.
bool filterable(const Node& original, const Node& current, int consumers, bool is_target) {
  return original.kind == NodeKind::HashPartition && original.function.is_null() &&
         !original.nested && consumers == 1 && !is_target && current.pre_map.empty() &&
         current.pre_aggregate.empty();
}

// Each reader's query with the columns of its other inputs; nullopt when one of those is unknown.
std::optional<std::vector<ShuffleReader>> shuffle_readers(const Node& partition,
                                                          const std::vector<const Node*>& readers,
                                                          KnownColumns& known) {
  std::vector<ShuffleReader> out;
  for (const Node* r : readers) {
    ShuffleReader reader{strip_semicolons(r->sql), {}};
    for (auto& in : r->inputs) {
      if (in.get() == &partition) {
        reader.inputs.push_back("");
        continue;
      }
      std::string columns = known.of(*in);
      if (columns.empty()) return std::nullopt;
      reader.inputs.push_back(columns);
    }
    out.push_back(std::move(reader));
  }
  if (!partition.partition_by.empty())
    out.push_back(ShuffleReader::over_shuffle_alone(
        "SELECT " + escape_sql_template(partition.partition_by) + " FROM {0}"));
  return out;
}

}  // namespace

std::vector<NodePtr> optimize_plan(const std::vector<NodePtr>& targets) {
  auto order = topological_order(targets);
  std::map<const Node*, int> consumers;
  std::map<const Node*, std::vector<const Node*>> readers;
  for (auto& n : order)
    for (auto& in : n->inputs) {
      consumers[in.get()]++;
      readers[in.get()].push_back(n.get());
    }
  std::set<const Node*> target_set;
  for (auto& t : targets) target_set.insert(t.get());

  std::map<const Node*, NodePtr> rewritten;  // original -> optimized
  KnownColumns known;
  std::unique_ptr<EngineConnection> con;  // DuckDB's parser and binder, taken when first needed
  auto connection = [&]() -> EngineConnection& {
    if (!con) con = planning_engine().connect();
    return *con;
  };
  for (auto& n : order) {
    auto copy = std::make_shared<Node>(*n);
    for (auto& in : copy->inputs) in = rewritten.at(in.get());
    if (prunable(*n, readers[n.get()], target_set.count(n.get()) > 0)) {
      std::string columns = known.source(*n->inputs[0]);
      auto queries = shuffle_readers(*n, readers[n.get()], known);
      if (!columns.empty() && queries)
        if (auto kept = columns_read(connection(), *queries, n->hash_columns, columns))
          copy->columns = *kept;
    }
    const Node* child = n->inputs.empty() ? nullptr : n->inputs[0].get();
    // What is folded is the child as optimized (it may be fused steps): that query must be
    // row-local and read one input, not only the child's own.
    if (child &&
        foldable_into_shuffle(*n, *copy->inputs[0], consumers[child],
                              target_set.count(child) > 0) &&
        is_row_local(connection(), strip_semicolons(copy->inputs[0]->sql))) {
      const Node& folded = *copy->inputs[0];
      copy->pre_map = strip_semicolons(folded.sql);
      copy->inputs = folded.inputs;
      copy->fused = folded.fused;
      copy->fused.push_back(folded.name);
    }
    if (child && combinable(*n, *child, consumers[child], target_set.count(child) > 0)) {
      std::string columns = child->inputs.size() == 1 ? known.source(*child->inputs[0]) : "";
      if (auto split = split_aggregate(connection(), strip_semicolons(n->sql), child->hash_columns,
                                       columns)) {
        auto partition = std::make_shared<Node>(*copy->inputs[0]);
        partition->pre_aggregate = split->partial;
        copy->inputs[0] = partition;
        copy->sql = split->final;
        rewritten[child] = partition;
      }
    }
    // Predicate pushdown: a shuffle that only this step reads drops, in its producers, the rows
    // this step's WHERE clause would drop.
    if (n->kind == NodeKind::SqlEngine && n->udfs.empty())
      for (size_t i = 0; i < n->inputs.size(); i++) {
        const Node* in = n->inputs[i].get();
        if (!filterable(*in, *copy->inputs[i], consumers[in], target_set.count(in) > 0)) continue;
        std::string filter = filter_for_input(connection(), strip_semicolons(n->sql), i,
                                              n->inputs.size(), known.of(*in));
        if (filter.empty()) continue;
        auto partition = std::make_shared<Node>(*copy->inputs[i]);
        partition->pre_map = filter;
        copy->inputs[i] = partition;
        rewritten[in] = partition;
      }
    // The child's query runs where the parent reads {0}: once (read twice, it would run
    // twice, and a volatile query would give two different inputs).
    if (fusable_parent(*n) && fusable_child(*child) && consumers[child] == 1 &&
        !target_set.count(child) && count_sql_input_uses(n->sql, 0) == 1) {
      const Node& fused_child = *copy->inputs[0];  // already optimized: may itself be fused
      copy->sql = substitute_sql_input(n->sql, 0, "(" + strip_semicolons(fused_child.sql) + "\n)");
      copy->inputs = fused_child.inputs;
      copy->fused = fused_child.fused;
      copy->fused.push_back(fused_child.name);
      for (auto& udf : fused_child.udfs)  // the fused query may call the child's functions too
        if (std::find(copy->udfs.begin(), copy->udfs.end(), udf) == copy->udfs.end())
          copy->udfs.push_back(udf);
    }
    rewritten[n.get()] = copy;
  }
  std::vector<NodePtr> out;
  for (auto& t : targets) out.push_back(rewritten.at(t.get()));
  return out;
}

}  // namespace smallpond
