#include "planner/planner.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>

#include "common/parallel.h"
#include "common/strings.h"
#include "common/system.h"
#include "dataset/split.h"
#include "engine/planning_engine.h"
#include "engine/sql_template.h"
#include "io/file_fingerprint.h"
#include "io/filesystem.h"
#include "logical/sort_order.h"
#include "plan/task_params.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

// Bounds that keep a mistyped partition count from exhausting the driver's memory (a task
// costs about a kilobyte in the plan and in the scheduler).
constexpr int kMaxPartitions = 1000000;
constexpr size_t kMaxTasks = 4000000;
// Samples of a range partition: per range, and in all. 1 000 per range keep ranges within a
// few percent of each other; at least 100 per range when there are very many.
constexpr int kSamplesPerRange = 1000;
constexpr int kMinSamplesPerRange = 100;
constexpr int64_t kMaxSamples = 1000000;
// (rows x scale fits in 64 bits up to 9 x 10^12 rows per producer)

class Planner {
 public:
  explicit Planner(const PlanOptions& options) : options_(options) {}

  TaskGraph run(const std::vector<NodePtr>& targets) {
    for (auto& node : topological_order(targets)) {
      if (std::find(graph_.steps.begin(), graph_.steps.end(), node->name) != graph_.steps.end())
        throw InvalidInputError("two steps are named '" + node->name + "'");
      graph_.steps.push_back(node->name);
      node_tasks_[node.get()] = plan_node(*node);
      graph_.step_outputs[node->name] = node_tasks_[node.get()];
    }
    if (!targets.empty()) graph_.outputs = node_tasks_.at(targets.back().get());
    return std::move(graph_);
  }

 private:
  std::vector<int> plan_node(const Node& node) {
    bool partitions = node.kind == NodeKind::EvenPartition ||
                      node.kind == NodeKind::HashPartition ||
                      node.kind == NodeKind::RangePartition ||
                      (node.kind == NodeKind::DataSource && node.load_partitioned);
    if (partitions && (node.npartitions < 1 || node.npartitions > kMaxPartitions))
      throw InvalidInputError("step '" + node.name + "': npartitions must be between 1 and " +
                              std::to_string(kMaxPartitions) + ", not " +
                              std::to_string(node.npartitions));
    switch (node.kind) {
      case NodeKind::DataSource: {
        if (node.load_partitioned) return plan_load_partitioned(node);
        std::vector<DataSet> data;  // not {resolve_source(node)}: that copies every file
        data.push_back(resolve_source(node));
        return {add_source(node, std::move(data), /*partitioned=*/false)};
      }
      case NodeKind::EvenPartition:
        return plan_even(node);
      case NodeKind::HashPartition:
        return plan_hash(node);
      case NodeKind::RangePartition:
        return plan_range(node);
      case NodeKind::SqlEngine:
        return plan_sql(node);
      case NodeKind::RowFunction: {
        FunctionParams params;
        params.function_kind = node.function_kind;
        params.function = node.function;
        params.batch_size = node.batch_size;
        if (node.function_kind == "stream") params.checkpoint_seconds = node.checkpoint_seconds;
        params.function_params = node.function_params;
        return per_partition(node, params);
      }
      case NodeKind::Compute: {
        // Several inputs, each given on its own (not concatenated) like SQL's {0}, {1}.
        FunctionParams params;
        params.function_kind = node.function_kind;
        params.function = node.function;
        params.separate_inputs = true;
        return plan_aligned(node, params);
      }
      case NodeKind::Projection:
        return plan_projection(node);
      case NodeKind::Consolidate:
        return plan_consolidate(node);
      case NodeKind::Limit:
        return plan_limit(node);
      case NodeKind::Union:
        return all_input_tasks(node);  // rewritten first when read differently
      case NodeKind::DataSink: {
        auto& in = input_tasks(node, 0);
        graph_.sinks.push_back({node.name, node.path, node.sink_type, in, node.overwrite});
        return in;
      }
    }
    throw InternalError("unknown node kind");
  }

  static SplitParams split_params(int n, const char* mode) {
    SplitParams params;
    params.n = n;
    params.mode = mode;
    return params;
  }
  static PickParams pick_params(int index, Json project = nullptr) {
    PickParams params;
    params.index = index;
    params.project = std::move(project);
    return params;
  }
  static SqlParams sql_params(const std::string& sql, bool concat = false) {
    SqlParams params;
    params.sql = sql;
    params.concat = concat;
    return params;
  }

  // The source's data set: its files (found now, with their fingerprints) and reading options.
  DataSet resolve_source(const Node& node) {
    DataSet ds = node.source_options;
    ds.files.clear();
    for (auto& pattern : node.patterns) {
      auto files = expand_path(pattern, file_extension(ds.format), "", node.recursive);
      if (files.empty())
        throw InvalidInputError("step '" + node.name + "': no files match '" + pattern + "'");
      ds.files.reserve(ds.files.size() + files.size());
      for (auto& f : files) ds.files.push_back({std::move(f.path), 0, -1, ""});
    }
    // The content, not the time: a file rewritten with other data in the same second (or
    // restored with cp -p) is another input; one touched but unchanged is the same. Read on
    // every core: a million files' footers take seconds even so.
    parallel_ranges(ds.files.size(), cpu_count(), [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; i++)
        ds.files[i].fingerprint = to_string(input_fingerprint(ds.files[i].path));
    });
    // A CSV header is detected once, on the first file, and then fixed: every partition
    // reads the same columns (each reader sniffing its own file could disagree).
    if (ds.format == FileFormat::Csv && !ds.header && !ds.files.empty())
      ds.header = csv_has_header(ds.files.front().path, ds.delimiter);
    return ds;
  }

  static bool csv_has_header(const std::string& path, const std::string& delimiter) {
    try {
      Table t =
          planning_engine().connect()->query("SELECT HasHeader FROM sniff_csv(" + sql_string(path) +
                                             ", delim = " + sql_string(delimiter) + ")");
      return !t.rows.empty() && t.rows[0][0].is_bool() && t.rows[0][0].as_bool();
    } catch (const Error& e) {
      throw InvalidInputError("cannot read the CSV file '" + path + "': " + e.what());
    }
  }

  // The files of an already-partitioned data set, grouped by the partition their path names.
  std::vector<int> plan_load_partitioned(const Node& node) {
    DataSet all = resolve_source(node);
    int n = node.npartitions;
    std::vector<DataSet> parts(n, all.without_files());
    for (auto& p : parts) {
      if (!all.files.empty()) p.adopt_schema_of(all.files.front());
    }
    for (auto& f : all.files) {  // moved: `all` is not read again
      int k = partition_of(node, f.path);
      if (k < 0 || k >= n)
        throw InvalidInputError("step '" + node.name + "': partition key " + std::to_string(k) +
                                " is out of range 0-" + std::to_string(n - 1) + " (file '" +
                                f.path + "')");
      parts[k].files.push_back(std::move(f));
    }
    int source = add_source(node, std::move(parts), /*partitioned=*/true);
    return picks(node, {source}, {});
  }

  static int partition_of(const Node& node, const std::string& path) {
    auto number = [&](const std::string& text) {
      size_t used = 0;
      int k = -1;
      try {
        k = std::stoi(text, &used);
      } catch (const std::exception&) {
      }
      if (used == 0)
        throw InvalidInputError("step '" + node.name + "': no partition number in '" + path + "'");
      return k;
    };
    if (!node.partition_column.empty()) {
      std::string key = "/" + node.partition_column + "=";
      size_t at = path.rfind(key);
      if (at == std::string::npos)
        throw InvalidInputError("step '" + node.name + "': '" + path + "' is not under a '" +
                                node.partition_column + "=<k>' directory");
      return number(path.substr(at + key.size()));
    }
    std::string name = path.substr(path.rfind('/') + 1);
    if (name.compare(0, 5, "part-") != 0)
      throw InvalidInputError("step '" + node.name + "': '" + path +
                              "' is not named part-<partition>-...");
    return number(name.substr(5));
  }

  std::vector<int> plan_even(const Node& node) {
    SplitParams params = split_params(node.npartitions, node.by_rows ? "rows" : "files");
    if (!node.nested) return picks(node, {add(node, 0, all_input_tasks(node), params)}, {});
    // Nested: every input partition is split on its own; the new dimension goes under its dims.
    std::vector<int> out;
    for (int in : all_input_tasks(node)) {
      int split = add(node, static_cast<int>(out.size()), {in}, params);
      for (int t : picks(node, {split}, graph_.tasks[in].dims, static_cast<int>(out.size())))
        out.push_back(t);
    }
    return out;
  }

  std::vector<int> plan_hash(const Node& node) {
    std::vector<int> inputs = all_input_tasks(node);
    HashProduceParams hash;
    hash.columns = node.hash_columns;
    hash.n = node.npartitions;
    hash.by = node.partition_by;
    // The producer's rows go through the folded row-local query, then the combiner's partial
    // aggregate.
    hash.pre_sql = node.pre_map;
    if (!node.pre_aggregate.empty())
      hash.pre_sql = node.pre_map.empty()
                         ? node.pre_aggregate
                         : substitute_sql_input(node.pre_aggregate, 0, "(" + node.pre_map + "\n)");
    hash.keep = node.columns;
    // A C++ partition function runs as a function task that writes one file per partition.
    FunctionParams function;
    function.function_kind = "partition";
    function.function = node.function;
    function.n = node.npartitions;
    auto produce = [&](int partition, std::vector<int> deps) {
      if (node.function.is_null()) return add(node, partition, std::move(deps), hash);
      return add(node, partition, std::move(deps), function);
    };
    if (node.nested) {
      // One producer per input partition; its buckets become that partition's sub-partitions.
      std::vector<int> out;
      for (int in : inputs) {
        int producer = produce(static_cast<int>(out.size()), {in});
        for (int t : picks(node, {producer}, graph_.tasks[in].dims, static_cast<int>(out.size())))
          out.push_back(t);
      }
      return out;
    }
    std::vector<int> produced;
    auto groups = producer_groups(node, inputs);
    for (size_t g = 0; g < groups.size(); g++) produced.push_back(produce(g, groups[g]));
    return picks(node, produced, {});
  }

  // The input tasks of a shuffle's producers, one group each (a single input task is split
  // into parts first: by files, or rows when there are too few files).
  std::vector<std::vector<int>> producer_groups(const Node& node, const std::vector<int>& inputs) {
    int producers = std::max(1, options_.shuffle_producers);
    std::vector<std::vector<int>> groups;
    if (inputs.size() == 1 && producers > 1) {
      int split = add(node, 0, inputs, split_params(producers, "auto"));
      for (int i = 0; i < producers; i++) groups.push_back({add(node, i, {split}, pick_params(i))});
    } else {
      int n = std::min<int>(producers, inputs.size());
      size_t next = 0;
      for (int64_t size : split_sizes(inputs.size(), n)) {
        groups.emplace_back(inputs.begin() + next, inputs.begin() + next + size);
        next += size;
      }
    }
    return groups;
  }

  // A range partition: each producer group is sampled (the same sample every time: rows
  // chosen by their keys, or a share of a source's rows by their places in its files; see
  // exec/range_sample_input.h), one task chooses the boundaries of n ranges of about equal weight
  // from all samples, and the producers send each row to the range of its key. Ties of the
  // sort order are broken by a hash (engine/range_partition_internal.h), so that many equal
  // keys can still be spread over several ranges.
  std::vector<int> plan_range(const Node& node) {
    std::vector<SortKey> keys = sort_order_of(node);
    // With a constant empty BLOB after the keys, the sort key is a BLOB whatever their types
    // (create_sort_key gives a BIGINT for keys that fit in 8 bytes), in the same order.
    std::string key = sort_key_sql(keys, "''::BLOB");
    std::string n = std::to_string(node.npartitions);
    auto groups = producer_groups(node, all_input_tasks(node));
    // About kSamplesPerRange samples per range in all (fewer when there are very many).
    int64_t total = std::max<int64_t>(
        int64_t(kMinSamplesPerRange) * node.npartitions,
        std::min<int64_t>(int64_t(kSamplesPerRange) * node.npartitions, kMaxSamples));
    int64_t per_group = (total + groups.size() - 1) / groups.size();
    std::vector<int> samples;
    for (size_t g = 0; g < groups.size(); g++) {
      RangeSampleParams sample;
      sample.key = key;
      sample.samples = per_group;
      sample.salt = static_cast<int64_t>(g);
      samples.push_back(add(node, g, groups[g], sample));
    }
    // A boundary is the first (key, tie) of each range: where the weight before a sample, in
    // ranges of total / n, reaches the next range.
    std::string order = "ORDER BY key, tie, weight";
    std::string bounds_sql =
        "SELECT DISTINCT key, tie FROM (SELECT key, tie, part, lag(part, 1, 0) OVER (" + order +
        ") AS previous FROM (SELECT key, tie, weight, (coalesce(sum(weight) OVER (" + order +
        " ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::HUGEINT * " + n +
        " // sum(weight) OVER ()::HUGEINT)::BIGINT AS part FROM {0})) WHERE part > previous";
    int bounds = add(node, groups.size(), samples, sql_params(bounds_sql, /*concat=*/true));
    RangeProduceParams range;
    range.n = node.npartitions;
    range.key = key;
    std::vector<int> produced;
    for (size_t g = 0; g < groups.size(); g++) {
      std::vector<int> deps = groups[g];
      deps.push_back(bounds);
      produced.push_back(add(node, g, deps, range));
    }
    return picks(node, produced, {});
  }

  std::vector<SortKey> sort_order_of(const Node& node) {
    if (!sort_connection_) sort_connection_ = planning_engine().connect();
    return parse_sort_order(*sort_connection_, node.order_by, "step '" + node.name + "'");
  }

  // The node's npartitions Pick tasks over deps, each in dims `outer` plus the node's dimension.
  // `outer` is a copy: callers pass an input task's dims, which adding tasks may move.
  std::vector<int> picks(const Node& node, const std::vector<int>& deps,
                         const std::vector<PartitionDim> outer, int first_partition = 0) {
    for (auto& d : outer)
      if (d.name == node.dimension)
        throw InvalidInputError("step '" + node.name +
                                "': the input is already partitioned in dimension '" +
                                node.dimension + "'; nest under another dimension name");
    std::vector<int> out;
    for (int i = 0; i < node.npartitions; i++) {
      int t = add(node, first_partition + i, deps, pick_params(i));
      graph_.tasks[t].dims = outer;
      graph_.tasks[t].dims.push_back({node.dimension, i, node.npartitions});
      out.push_back(t);
    }
    return out;
  }

  // Partitions that differ only in the dimension are merged, in order of first appearance.
  std::vector<int> plan_consolidate(const Node& node) {
    std::vector<std::vector<int>> groups;
    std::vector<std::vector<PartitionDim>> kept;
    for (int t : input_tasks(node, 0)) {
      std::vector<PartitionDim> rest;
      bool found = false;
      for (auto& d : graph_.tasks[t].dims) {
        if (d.name == node.dimension)
          found = true;
        else
          rest.push_back(d);
      }
      if (!found)
        throw InvalidInputError("step '" + node.name + "': the input has no partition dimension '" +
                                node.dimension + "'");
      size_t g = 0;
      while (g < kept.size() && !same_dims(kept[g], rest)) g++;
      if (g == kept.size()) {
        kept.push_back(rest);
        groups.emplace_back();
      }
      groups[g].push_back(t);
    }
    std::vector<int> out;
    for (size_t g = 0; g < groups.size(); g++) {
      int t = add(node, g, groups[g], pick_params(0));
      graph_.tasks[t].dims = kept[g];
      out.push_back(t);
    }
    return out;
  }

  static bool same_dims(const std::vector<PartitionDim>& a, const std::vector<PartitionDim>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); i++)
      if (a[i].name != b[i].name || a[i].index != b[i].index) return false;
    return true;
  }

  // True when every dimension of `sub` appears in `dims` with the same index.
  // The tasks of one input by their partition dimensions: within(dims) is the one task whose
  // dimensions are all among `dims` (-1: none, -2: more than one), found by lookups.
  class DimsIndex {
   public:
    DimsIndex(const TaskGraph& graph, const std::vector<int>& tasks) {
      for (int t : tasks) {
        const auto& dims = graph.tasks[t].dims;
        std::vector<std::string> names;
        for (auto& d : dims) names.push_back(d.name);
        std::sort(names.begin(), names.end());
        auto& by_key = shapes_[names];
        auto [it, fresh] = by_key.emplace(key(dims, names), t);
        if (!fresh) it->second = -2;  // two tasks with the same dimensions
      }
    }
    int within(const std::vector<PartitionDim>& dims) const {
      int found = -1;
      for (auto& [names, by_key] : shapes_) {
        if (names.size() > dims.size()) continue;
        std::vector<PartitionDim> projected;
        for (auto& n : names) {
          auto d = std::find_if(dims.begin(), dims.end(),
                                [&](const PartitionDim& x) { return x.name == n; });
          if (d == dims.end()) break;
          projected.push_back(*d);
        }
        if (projected.size() != names.size()) continue;
        auto it = by_key.find(key(projected, names));
        if (it == by_key.end()) continue;
        if (found != -1 || it->second < 0) return -2;
        found = it->second;
      }
      return found;
    }

   private:
    // name:index/count of each dimension, in the order of `names` (sorted).
    static std::string key(const std::vector<PartitionDim>& dims,
                           const std::vector<std::string>& names) {
      std::string out;
      for (auto& n : names)
        for (auto& d : dims)
          if (d.name == n)
            out += n + ':' + std::to_string(d.index) + '/' + std::to_string(d.count) + ';';
      return out;
    }
    std::map<std::vector<std::string>, std::map<std::string, int>> shapes_;
  };

  // One task per partition of the input with the most dimensions (the first of them on a tie);
  // every other input gives the partition whose dimensions it shares: a partitioned input is
  // aligned, an unpartitioned one is given to every task.
  std::vector<int> plan_sql(const Node& node) {
    int used = count_sql_template_inputs(node.sql);
    if (used > static_cast<int>(node.inputs.size()))
      throw InvalidInputError("step '" + node.name + "': the query uses {" +
                              std::to_string(used - 1) + "} but the step has " +
                              std::to_string(node.inputs.size()) + " input(s)");
    SqlParams params;
    params.sql = node.sql;
    params.udfs = node.udfs;
    return plan_aligned(node, params);
  }

  // One task per aligned partition of the inputs (see plan_sql), with `base_params` and the
  // partition's dimension values as "names" (SqlParams, FunctionParams).
  template <class Params>
  std::vector<int> plan_aligned(const Node& node, const Params& base_params) {
    size_t driver = 0;
    for (size_t i = 0; i < node.inputs.size(); i++)
      if (dims_of(node, i).size() > dims_of(node, driver).size()) driver = i;
    std::vector<int> drivers =
        node.inputs.empty() ? std::vector<int>{-1} : input_tasks(node, driver);
    // Each input's tasks by their dimensions, so that finding the one that lines up with a
    // driver partition is a lookup, not a scan (planning stays linear in the partitions).
    std::vector<DimsIndex> indexes;
    for (size_t i = 0; i < node.inputs.size(); i++)
      indexes.emplace_back(graph_, input_tasks(node, i));
    std::vector<int> out;
    for (size_t p = 0; p < drivers.size(); p++) {
      std::vector<PartitionDim> dims =
          drivers[p] < 0 ? std::vector<PartitionDim>{} : graph_.tasks[drivers[p]].dims;
      std::vector<int> deps;
      for (size_t i = 0; i < node.inputs.size(); i++) {
        int match = indexes[i].within(dims);
        if (match < 0)
          throw InvalidInputError(
              "step '" + node.name + "': input '" + node.inputs[i]->name + "' has " +
              std::to_string(input_tasks(node, i).size()) +
              " partitions that do not line up with the " + std::to_string(drivers.size()) +
              " partitions of input '" + node.inputs[driver]->name +
              "'; inputs must be partitioned alike (same dimensions and counts), or not at all");
        deps.push_back(match);
      }
      Json names = {{"__data_partition__", p}, {"partition", p}, {"npartitions", drivers.size()}};
      for (auto& d : dims) names[d.name] = d.index;
      Params params = base_params;
      params.names = std::move(names);
      int t = add(node, p, deps, params);
      graph_.tasks[t].dims = dims;
      out.push_back(t);
    }
    return out;
  }

  // One task per partition of the (single) input, in the same dimensions.
  template <class Params>
  std::vector<int> per_partition(const Node& node, const Params& params) {
    std::vector<int> out;
    const auto& in = input_tasks(node, 0);
    for (size_t p = 0; p < in.size(); p++) {
      out.push_back(add(node, p, {in[p]}, params));
      graph_.tasks[out.back()].dims = graph_.tasks[in[p]].dims;
    }
    return out;
  }

  // Column names, generated columns and union by name only change how the input is read (a
  // metadata task); SQL expressions among the columns need a query over that.
  std::vector<int> plan_projection(const Node& node) {
    bool names_only = true;
    for (auto& c : node.columns) names_only = names_only && is_identifier(c);
    Json project = {{"generated_columns", node.generated_columns},
                    {"union_by_name", node.union_by_name}};
    if (names_only) project["columns"] = node.columns;
    std::vector<int> out = per_partition(node, pick_params(0, project));
    if (names_only) return out;
    // Expressions: a query over the projected input, which keeps the generated columns after
    // the listed ones, as a projection by names does.
    std::vector<std::string> select = node.columns;
    for (auto& g : node.generated_columns)
      if (std::find(select.begin(), select.end(), g) == select.end()) select.push_back(g);
    std::string sql = "SELECT " + join(select, ", ") + " FROM {0}";
    std::vector<int> queried;
    for (size_t p = 0; p < out.size(); p++) {
      queried.push_back(add(node, p, {out[p]}, sql_params(sql)));
      graph_.tasks[queried.back()].dims = graph_.tasks[out[p]].dims;
    }
    return queried;
  }

  static bool is_identifier(const std::string& s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
    for (char c : s)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    return true;
  }

  const std::vector<PartitionDim>& dims_of(const Node& node, size_t input) {
    static const std::vector<PartitionDim> none;
    auto& tasks = input_tasks(node, input);
    return tasks.empty() ? none : graph_.tasks[tasks.front()].dims;
  }

  // A global limit: each partition keeps its first n rows, then one task takes n of those.
  std::vector<int> plan_limit(const Node& node) {
    std::string sql = "SELECT * FROM {0} LIMIT " + std::to_string(node.limit);
    const auto& in = input_tasks(node, 0);
    if (in.size() == 1) return {add(node, 0, in, sql_params(sql))};
    std::vector<int> partial;
    for (size_t p = 0; p < in.size(); p++)
      partial.push_back(add(node, p, {in[p]}, sql_params(sql)));
    // "concat": the task's one input is all of its deps' outputs together.
    return {add(node, in.size(), partial, sql_params(sql, /*concat=*/true))};
  }

  const std::vector<int>& input_tasks(const Node& node, size_t i) {
    if (i >= node.inputs.size()) throw InvalidInputError("step '" + node.name + "' has no input");
    return node_tasks_.at(node.inputs[i].get());
  }

  // The tasks of every input, in order. Their consumers read them as one data set, with one
  // reader: when the inputs are read differently (CSV beside Parquet, a projection beside all
  // columns), each one that is not yet Parquet written by the job is rewritten as such first.
  std::vector<int> all_input_tasks(const Node& node) {
    std::vector<int> out;
    for (size_t i = 0; i < node.inputs.size(); i++) {
      auto& in = input_tasks(node, i);
      out.insert(out.end(), in.begin(), in.end());
    }
    if (out.empty()) throw InvalidInputError("step '" + node.name + "' has no input");
    bool alike = std::all_of(out.begin(), out.end(),
                             [&](int t) { return reader_of(t) == reader_of(out.front()); });
    if (alike) return out;
    for (size_t i = 0; i < out.size(); i++) {
      if (reader_of(out[i]) == kWrittenByJob) continue;
      int in = out[i];
      out[i] = add(node, static_cast<int>(i), {in}, sql_params("SELECT * FROM {0}"));
      graph_.tasks[out[i]].dims = graph_.tasks[in].dims;
    }
    return out;
  }

  // How a task's output is read: its format and reading options (not its files). Tasks that
  // run in executors write plain Parquet; sources and the metadata tasks over them keep the
  // source's options, plus any projection.
  static constexpr const char* kWrittenByJob = "parquet written by the job";
  const std::string& reader_of(int task) {
    auto known = readers_.find(task);
    if (known != readers_.end()) return known->second;
    const Task& t = graph_.tasks[task];
    std::string reader;
    if (t.kind == TaskKind::Source) {
      // The data set's reading options: all but its files and where its schema comes from.
      DataSet options = t.source_data.empty() ? DataSet() : t.source_data.front().without_files();
      options.schema_file.clear();
      options.schema_table.clear();
      reader = options.to_json().dump();
    } else if (t.kind == TaskKind::Pick || t.kind == TaskKind::Split) {
      reader = reader_of(t.deps.front());  // all deps alike (all_input_tasks sees to it)
      if (t.kind == TaskKind::Pick) {
        Json project = PickParams::from_json(t.params).project;
        if (!project.is_null()) reader += project.dump();
      }
    } else {
      reader = kWrittenByJob;
    }
    return readers_[task] = reader;
  }

  // A task of the kind whose parameters these are (plan/task.h's list pairs them).
  template <class Params>
  int add(const Node& node, int partition, std::vector<int> deps, const Params& params) {
    return add_task(node, task_kind_of<Params>(), partition, std::move(deps), params.to_json());
  }

  // A source task: its data sets, one (a source step's) or one per partition (partitioned).
  int add_source(const Node& node, std::vector<DataSet> data, bool partitioned) {
    SourceParams params;
    params.partitioned = partitioned;
    return add_task(node, TaskKind::Source, 0, {}, params.to_json(), TaskOutputs(std::move(data)));
  }

  int add_task(const Node& node, TaskKind kind, int partition, std::vector<int> deps, Json params,
               TaskOutputs source_data = {}) {
    if (graph_.tasks.size() >= kMaxTasks)
      throw InvalidInputError("step '" + node.name + "': the plan would have more than " +
                              std::to_string(kMaxTasks) +
                              " tasks; use fewer partitions (nested partitions multiply)");
    Task t;
    t.id = static_cast<int>(graph_.tasks.size());
    t.kind = kind;
    t.step = node.name;
    t.partition = partition;
    t.deps = std::move(deps);
    t.params = std::move(params);
    t.source_data = std::move(source_data);
    auto definition = definitions_.find(&node);
    if (definition == definitions_.end())
      definition = definitions_.emplace(&node, node.definition().dump()).first;
    // The identity, one field a line (the JSON texts hold no raw line breaks): kind, the node's
    // definition, partition, parameters, then the inputs' keys. Hashed as it is made: a
    // source's parameters are its every file.
    StableHasher identity;
    identity << task_kind_name(kind) << '\n'
             << definition->second << '\n'
             << std::to_string(partition) << '\n';
    if (kind == TaskKind::Source)
      write_source_identity(t, [&](std::string_view text) { identity << text; });
    else
      identity.add_json(t.params);
    identity << '\n';
    for (int d : t.deps) identity << graph_.tasks[d].key << ',';
    t.key = identity.hex();
    graph_.tasks.push_back(std::move(t));
    return graph_.tasks.back().id;
  }

  PlanOptions options_;
  TaskGraph graph_;
  std::map<const Node*, std::vector<int>> node_tasks_;
  std::map<int, std::string> readers_;
  std::map<const Node*, std::string> definitions_;     // each node's, as JSON text, made once
  std::unique_ptr<EngineConnection> sort_connection_;  // DuckDB's parser, for sort orders
};

}  // namespace

TaskGraph plan_tasks(const std::vector<NodePtr>& targets, const PlanOptions& options) {
  return Planner(options).run(targets);
}

}  // namespace smallpond
