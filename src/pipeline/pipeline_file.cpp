#include "pipeline/pipeline_file.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>

#include "common/strings.h"
#include "common/suggest.h"
#include "io/filesystem.h"
#include "logical/operations.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

// Operations with a syntax of their own; the others are logical/operations.h's registered ones.
const std::vector<std::string> kSpecialOperations = {
    "read_parquet", "read_csv", "read_json",   "read_partitioned",
    "sql",          "union",    "consolidate", "write_parquet"};

std::vector<std::string> all_operations() {
  std::vector<std::string> out = kSpecialOperations;
  for (auto& name : operation_names()) out.push_back(name);
  return out;
}

class PipelineParser {
 public:
  PipelineParser(std::string base_dir, std::string origin, int default_executors)
      : base_dir_(std::move(base_dir)),
        origin_(std::move(origin)),
        default_executors_(default_executors) {}

  Pipeline parse(const std::string& text) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw InvalidInputError(origin_ + ":" + std::to_string(e.mark.line + 1) +
                              ": invalid YAML: " + e.msg);
    }
    if (!root.IsMap() || !root["steps"])
      throw InvalidInputError(origin_ + ": a pipeline file needs a top-level 'steps:' list");
    for (auto it = root.begin(); it != root.end(); ++it) {
      if (it->first.as<std::string>() != "steps")
        fail(it->first, "",
             "unknown top-level key '" + it->first.as<std::string>() + "' (expected 'steps')");
    }
    YAML::Node steps = root["steps"];
    if (!steps.IsSequence() || steps.size() == 0)
      fail(steps, "", "'steps' must be a non-empty list");
    for (const auto& step : steps) parse_step(step);

    Pipeline p;
    std::set<const Node*> used;
    for (auto& n : nodes_)
      for (auto& in : n->inputs) used.insert(in.get());
    for (auto& n : nodes_) {
      p.steps.push_back(n);
      if (!used.count(n.get())) p.targets.push_back(n);
    }
    return p;
  }

 private:
  [[noreturn]] void fail(const YAML::Node& at, const std::string& step,
                         const std::string& what) const {
    std::string where = origin_;
    // A missing key has no place of its own: the step it is missing from stands in.
    const YAML::Node& place = at.IsDefined() && at.Mark().line >= 0 ? at : current_step_;
    if (place.IsDefined() && place.Mark().line >= 0)
      where += ":" + std::to_string(place.Mark().line + 1);
    throw InvalidInputError(where + ": " + (step.empty() ? "" : "step '" + step + "': ") + what);
  }

  std::string scalar(const YAML::Node& n, const std::string& step, const std::string& what) const {
    if (!n.IsDefined() || n.IsNull()) fail(n, step, "missing '" + what + "'");
    if (!n.IsScalar()) fail(n, step, "'" + what + "' must be a single value");
    return n.as<std::string>();
  }

  int integer(const YAML::Node& n, const std::string& step, const std::string& what) const {
    std::string text = scalar(n, step, what);
    try {
      size_t used = 0;
      int v = std::stoi(text, &used);
      if (used == text.size()) return v;
    } catch (const std::exception&) {
    }
    fail(n, step, "'" + what + "' must be an integer, not '" + text + "'");
  }

  bool boolean(const YAML::Node& n, const std::string& step, const std::string& what) const {
    try {
      return n.as<bool>();
    } catch (const YAML::Exception&) {
      fail(n, step, "'" + what + "' must be true or false");
    }
  }

  std::vector<std::string> strings(const YAML::Node& n, const std::string& step,
                                   const std::string& what) const {
    std::vector<std::string> out;
    if (n.IsSequence()) {
      for (const auto& item : n) out.push_back(scalar(item, step, what));
    } else {
      out.push_back(scalar(n, step, what));
    }
    if (out.empty()) fail(n, step, "'" + what + "' must not be empty");
    return out;
  }

  void check_keys(const YAML::Node& map, const std::string& step, const std::string& what,
                  const std::set<std::string>& allowed) const {
    for (auto it = map.begin(); it != map.end(); ++it) {
      std::string key = it->first.as<std::string>();
      if (!allowed.count(key)) {
        std::vector<std::string> names(allowed.begin(), allowed.end());
        std::string guess = closest_word(key, names);
        fail(it->first, step,
             "unknown key '" + key + "' in '" + what + "'" +
                 (guess.empty() ? "" : "; did you mean '" + guess + "'?") +
                 " (allowed: " + join(names, ", ") + ")");
      }
    }
  }

  // A partition dimension's name: an identifier, since queries use it as {name}.
  std::string dimension(const YAML::Node& n, const std::string& step) const {
    std::string name = scalar(n, step, "dimension");
    try {
      check_step_name(name);
    } catch (const InvalidInputError& e) {
      fail(n, step, std::string("invalid dimension name: ") + e.what());
    }
    return name;
  }

  NodePtr input(const YAML::Node& n, const std::string& step) const {
    std::string name = scalar(n, step, "input");
    auto it = by_name_.find(name);
    if (it == by_name_.end())
      fail(n, step, "unknown input '" + name + "' (inputs must be defined by earlier steps)");
    return it->second;
  }

  std::vector<std::string> paths(const YAML::Node& n, const std::string& step,
                                 const std::string& what) const {
    std::vector<std::string> out;
    for (auto& p : strings(n, step, what)) out.push_back(absolute_path(p, base_dir_));
    return out;
  }

  // read_parquet / read_csv / read_json: a path, a list of paths, or a map with "path" and options.
  void parse_source(const YAML::Node& spec, const std::string& step, const std::string& op,
                    Node& node) {
    node.kind = NodeKind::DataSource;
    DataSet& o = node.source_options;
    o.format = op == "read_parquet" ? FileFormat::Parquet
               : op == "read_csv"   ? FileFormat::Csv
                                    : FileFormat::Json;
    if (!spec.IsMap()) {
      node.patterns = paths(spec, step, op);
      return;
    }
    std::set<std::string> allowed = {"path", "columns", "union_by_name", "recursive"};
    if (op == "read_parquet") allowed.insert("generated_columns");
    if (op != "read_parquet") allowed.insert("schema");
    if (op == "read_csv") allowed.insert({"delimiter", "header"});
    check_keys(spec, step, op, allowed);
    node.patterns = paths(spec["path"], step, "path");
    if (spec["columns"]) o.columns = strings(spec["columns"], step, "columns");
    if (spec["union_by_name"])
      o.union_by_name = boolean(spec["union_by_name"], step, "union_by_name");
    if (spec["recursive"]) node.recursive = boolean(spec["recursive"], step, "recursive");
    if (spec["generated_columns"]) {
      o.generated_columns = strings(spec["generated_columns"], step, "generated_columns");
      try {
        check_generated_columns(o.generated_columns, op);
      } catch (const InvalidInputError& e) {
        fail(spec["generated_columns"], step, e.what());
      }
    }
    if (spec["schema"]) {
      if (!spec["schema"].IsMap())
        fail(spec["schema"], step, "'schema' must map column names to SQL types");
      for (auto it = spec["schema"].begin(); it != spec["schema"].end(); ++it)
        o.schema.emplace_back(it->first.as<std::string>(), scalar(it->second, step, "schema"));
    }
    if (spec["delimiter"]) o.delimiter = scalar(spec["delimiter"], step, "delimiter");
    if (spec["header"]) o.header = boolean(spec["header"], step, "header");
  }

  // `NAME: {input: STEP, PARAM: VALUE, ...}` of a registered operation (logical/operations.h):
  // the parameters are checked and the nodes built there, as for every front end.
  void parse_registered(const OperationSpec& op, const YAML::Node& spec, const std::string& name) {
    std::string usage = "{input";
    for (auto& p : op.params) usage += p.required ? ", " + p.name : ", [" + p.name + "]";
    usage += "}";
    if (!spec.IsMap()) fail(spec, name, "'" + op.name + "' needs " + usage);
    std::set<std::string> allowed = {"input"};
    for (auto& p : op.params) allowed.insert(p.name);
    check_keys(spec, name, op.name, allowed);
    NodePtr in = input(spec["input"], name);
    Json params = Json::object();
    for (auto& p : op.params) {
      const YAML::Node value = spec[p.name];
      if (!value) continue;
      switch (p.type) {
        case ParamType::String:
          params[p.name] = scalar(value, name, p.name);
          break;
        case ParamType::Strings:
          params[p.name] = strings(value, name, p.name);
          break;
        case ParamType::Integer:
          params[p.name] = integer(value, name, p.name);
          break;
        case ParamType::Boolean:
          params[p.name] = boolean(value, name, p.name);
          break;
      }
    }
    // Nodes the operation makes before its result are named after the step.
    std::vector<std::shared_ptr<Node>> made;
    BuildContext context;
    context.executors = default_executors_;
    context.new_node = [&](NodeKind kind, const std::string& role) {
      auto node = std::make_shared<Node>();
      node->kind = kind;
      node->id = static_cast<int>(nodes_.size() + made.size()) + 1;
      node->name = name + "_" + role;
      made.push_back(node);
      return node;
    };
    NodePtr result;
    try {
      result = build_operation(op.name, in, params, context);
    } catch (const InvalidInputError& e) {
      fail(spec, name, e.what());
    }
    for (auto& node : made) {
      if (node.get() == result.get()) node->name = name;
      nodes_.push_back(node);
    }
    by_name_[name] = result;
  }

  void parse_step(const YAML::Node& s) {
    current_step_ = s;
    if (!s.IsMap()) fail(s, "", "each step must be a map with a 'name' and an operation");
    std::string name = scalar(s["name"], "", "name");
    try {
      check_step_name(name);
    } catch (const InvalidInputError& e) {
      fail(s["name"], "", e.what());
    }
    if (by_name_.count(name)) fail(s["name"], name, "a step with this name already exists");

    const std::vector<std::string> kOperations = all_operations();
    std::string op;
    for (auto it = s.begin(); it != s.end(); ++it) {
      std::string key = it->first.as<std::string>();
      if (key == "name" || key == "inputs") continue;
      if (std::find(kOperations.begin(), kOperations.end(), key) == kOperations.end()) {
        std::vector<std::string> known = kOperations;
        known.push_back("inputs");
        std::string guess = closest_word(key, known);
        fail(it->first, name,
             "unknown key '" + key + "'" +
                 (guess.empty() ? "" : "; did you mean '" + guess + "'?") +
                 " (operations: " + join(kOperations, ", ") + "; sql steps also take 'inputs')");
      }
      if (!op.empty())
        fail(it->first, name,
             "a step has one operation, but this one has '" + op + "' and '" + key + "'");
      op = key;
    }
    if (op.empty()) fail(s, name, "no operation (one of: " + join(kOperations, ", ") + ")");
    if (s["inputs"] && op != "sql")
      fail(s["inputs"], name, "'inputs' belongs to sql steps; '" + op + "' takes 'input'");

    auto node = std::make_shared<Node>();
    node->id = static_cast<int>(nodes_.size()) + 1;
    node->name = name;
    const YAML::Node spec = s[op];
    if (const OperationSpec* registered = find_operation(op)) {
      parse_registered(*registered, spec, name);
      return;
    }
    if (op == "read_parquet" || op == "read_csv" || op == "read_json") {
      parse_source(spec, name, op, *node);
    } else if (op == "read_partitioned") {
      if (!spec.IsMap())
        fail(spec, name, "'read_partitioned' needs {path, npartitions[, column][, dimension]}");
      check_keys(spec, name, op, {"path", "npartitions", "column", "dimension"});
      node->kind = NodeKind::DataSource;
      node->source_options.format = FileFormat::Parquet;
      node->patterns = paths(spec["path"], name, "path");
      node->recursive = true;
      node->load_partitioned = true;
      node->npartitions = integer(spec["npartitions"], name, "npartitions");
      if (node->npartitions < 1)
        fail(spec["npartitions"], name, "'npartitions' must be at least 1");
      if (spec["column"]) node->partition_column = scalar(spec["column"], name, "column");
      if (spec["dimension"]) node->dimension = dimension(spec["dimension"], name);
    } else if (op == "consolidate") {
      if (!spec.IsMap()) fail(spec, name, "'consolidate' needs {input, dimension}");
      check_keys(spec, name, op, {"input", "dimension"});
      node->kind = NodeKind::Consolidate;
      node->inputs = {input(spec["input"], name)};
      node->dimension = dimension(spec["dimension"], name);
    } else if (op == "union") {
      if (!spec.IsSequence() || spec.size() == 0) fail(spec, name, "'union' needs a list of steps");
      node->kind = NodeKind::Union;
      for (const auto& in : spec) node->inputs.push_back(input(in, name));
    } else if (op == "sql") {
      node->kind = NodeKind::SqlEngine;
      node->sql = scalar(spec, name, "sql");
      if (s["inputs"]) {
        if (!s["inputs"].IsSequence())
          fail(s["inputs"], name, "'inputs' must be a list of step names");
        for (const auto& in : s["inputs"]) node->inputs.push_back(input(in, name));
      }
    } else {  // write_parquet
      if (!spec.IsMap()) fail(spec, name, "'write_parquet' needs {input, path}");
      check_keys(spec, name, op, {"input", "path", "type", "overwrite"});
      node->kind = NodeKind::DataSink;
      node->inputs = {input(spec["input"], name)};
      node->path = absolute_path(scalar(spec["path"], name, "path"), base_dir_);
      if (spec["overwrite"]) node->overwrite = boolean(spec["overwrite"], name, "overwrite");
      if (spec["type"]) {
        node->sink_type = scalar(spec["type"], name, "type");
        try {
          check_sink_type(node->sink_type, "write_parquet");
        } catch (const InvalidInputError& e) {
          fail(spec["type"], name, e.what());
        }
      }
    }
    nodes_.push_back(node);
    by_name_[name] = node;
  }

  std::string base_dir_, origin_;
  int default_executors_;
  YAML::Node current_step_;  // the step being parsed, for the line of what it lacks
  std::vector<NodePtr> nodes_;
  std::map<std::string, NodePtr> by_name_;
};

}  // namespace

Pipeline parse_pipeline(const std::string& yaml, const std::string& base_dir,
                        const std::string& origin, int executors) {
  return PipelineParser(base_dir, origin, executors).parse(yaml);
}

Pipeline load_pipeline(const std::string& path, int executors) {
  if (!path_exists(path)) throw InvalidInputError("pipeline file '" + path + "' does not exist");
  std::string dir = std::filesystem::path(absolute_path(path)).parent_path().string();
  return parse_pipeline(read_file(path), dir, path, executors);
}

}  // namespace smallpond
