#include "driver/explain.h"

#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "common/strings.h"
#include "exec/task_manifest.h"
#include "io/job_dir.h"
#include "logical/optimizer.h"
#include "planner/planner.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

// One line of text at most `width` characters: whitespace runs become one space.
std::string one_line(const std::string& text, size_t width = 72) {
  std::string out;
  for (char c : text) {
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > width) out = out.substr(0, width - 3) + "...";
  return out;
}

std::string describe(const Node& n) {
  std::string out = node_kind_name(n.kind);
  auto partitions = [&](const std::string& how) {
    return " " + std::to_string(n.npartitions) + " partitions " + how +
           (n.nested ? " (nested, dimension " + n.dimension + ")" : "");
  };
  switch (n.kind) {
    case NodeKind::DataSource:
      out += std::string(" ") + format_name(n.source_options.format) + " " + join(n.patterns, ", ");
      if (n.load_partitioned) out += partitions("by path");
      break;
    case NodeKind::EvenPartition:
      out += partitions(n.by_rows ? "by rows" : "by files");
      break;
    case NodeKind::HashPartition:
      if (!n.function.is_null())
        out += partitions("by a C++ function");
      else if (!n.partition_by.empty())
        out += partitions("by " + n.partition_by);
      else
        out += partitions("by hash(" + join(n.hash_columns, ", ") + ")");
      break;
    case NodeKind::RangePartition:
      out += partitions("by ranges of " + n.order_by + " (boundaries from a sample)");
      break;
    case NodeKind::SqlEngine:
      out += ": " + one_line(n.sql);
      break;
    case NodeKind::RowFunction:
    case NodeKind::Compute:
      out += " " + n.function_kind;
      break;
    case NodeKind::Projection:
      out += " " + join(n.columns, ", ");
      if (!n.generated_columns.empty()) out += " + " + join(n.generated_columns, ", ");
      break;
    case NodeKind::Limit:
      out += " " + std::to_string(n.limit);
      break;
    case NodeKind::Union:
      out += " of " + std::to_string(n.inputs.size()) + " inputs";
      break;
    case NodeKind::Consolidate:
      out += " dimension " + n.dimension;
      break;
    case NodeKind::DataSink:
      out += " -> " + n.path + " (" + n.sink_type + (n.overwrite ? ", overwrite" : "") + ")";
      break;
  }
  if (!n.fused.empty()) out += "   [fused: " + join(n.fused, ", ") + "]";
  if (n.kind == NodeKind::HashPartition && !n.columns.empty())
    out += "   [carries only: " + join(n.columns, ", ") + "]";
  if (!n.pre_map.empty())
    out += "   [row-local query in each producer, before the shuffle: " + one_line(n.pre_map) + "]";
  if (!n.pre_aggregate.empty())
    out += "   [combiner: partial aggregate before the shuffle: " + one_line(n.pre_aggregate) + "]";
  return out;
}

// The tree under `node`: each step once; a step read by several is referred to afterwards.
void print_tree(const Node& node, const std::string& indent, bool last, bool top,
                std::set<const Node*>& shown, std::ostringstream& out) {
  out << indent << (top ? "" : last ? "└─ " : "├─ ") << node.name << "  ";
  if (!shown.insert(&node).second) {
    out << "(shown above)\n";
    return;
  }
  out << describe(node) << "\n";
  std::string below = indent + (top ? "" : last ? "   " : "│  ");
  for (size_t i = 0; i < node.inputs.size(); i++)
    print_tree(*node.inputs[i], below, i + 1 == node.inputs.size(), false, shown, out);
}

}  // namespace

std::string explain_plan(const std::vector<NodePtr>& targets, const Options& options) {
  std::vector<NodePtr> optimized = options.optimize ? optimize_plan(targets) : targets;
  PlanOptions plan_options;
  plan_options.shuffle_producers = options.shuffle_producers;
  TaskGraph graph = plan_tasks(optimized, plan_options);

  std::ostringstream out;
  out << "Logical plan (" << graph.steps.size() << " steps"
      << (options.optimize ? ", optimised" : ", not optimised") << ")\n";
  std::set<const Node*> shown;
  for (auto& t : optimized) print_tree(*t, "  ", true, true, shown, out);

  // Per step: task kinds and counts, and the executor tasks whose outputs the job directory
  // holds (found by key, verified as a run would).
  struct StepTasks {
    std::map<std::string, int> kinds;  // in name order
    int total = 0, executor = 0, reused = 0;
  };
  std::map<std::string, StepTasks> per_step;
  auto on_disk = JobDir::outputs_by_key(options.job_dir);
  int executor_total = 0, reused_total = 0;
  for (auto& t : graph.tasks) {
    StepTasks& s = per_step[t.step];
    s.kinds[task_kind_name(t.kind)]++;
    s.total++;
    if (!t.on_executor()) continue;
    s.executor++;
    executor_total++;
    auto dir = on_disk.find(t.key);
    if (dir == on_disk.end()) continue;
    try {
      if (read_task_manifest(options.job_dir + "/data/" + dir->second, t.key)) {
        s.reused++;
        reused_total++;
      }
    } catch (const Error&) {  // unreadable now: a run would compute it again
    }
  }
  out << "\nTasks (" << graph.tasks.size() << "; " << executor_total << " on executors, "
      << reused_total << " of them already in " << options.job_dir << ")\n";
  size_t width = 4;
  for (auto& step : graph.steps) width = std::max(width, step.size());
  char line[512];
  std::snprintf(line, sizeof line, "  %-*s %7s %7s  %s\n", static_cast<int>(width), "step", "tasks",
                "reused", "kinds");
  out << line;
  for (auto& step : graph.steps) {
    const StepTasks& s = per_step[step];
    std::string kinds;
    for (auto& [kind, count] : s.kinds)
      kinds += (kinds.empty() ? "" : ", ") + kind + " " + std::to_string(count);
    std::string reused = s.executor == 0 ? "-" : std::to_string(s.reused);
    std::snprintf(line, sizeof line, "  %-*s %7d %7s  %s\n", static_cast<int>(width), step.c_str(),
                  s.total, reused.c_str(), kinds.c_str());
    out << line;
  }
  for (auto& sink : graph.sinks)
    out << "  publishes " << sink.path << " from step " << sink.step << " (" << sink.tasks.size()
        << " partitions)\n";
  return out.str();
}

}  // namespace smallpond
