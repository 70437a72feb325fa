#include "exec/protocol.h"

#include "smallpond/error.h"

namespace smallpond {

static TaskKind kind_from_name(const std::string& name) {
  for (TaskKind k : {TaskKind::Source, TaskKind::Split, TaskKind::Pick, TaskKind::Sql,
                     TaskKind::HashProduce, TaskKind::Function})
    if (name == task_kind_name(k)) return k;
  throw InternalError("unknown task kind '" + name + "'");
}

static Json datasets_to_json(const std::vector<DataSet>& sets) {
  Json j = Json::array();
  for (auto& d : sets) j.push_back(d.to_json());
  return j;
}

static std::vector<DataSet> datasets_from_json(const Json& j) {
  std::vector<DataSet> out;
  for (auto& d : j) out.push_back(DataSet::from_json(d));
  return out;
}

Json TaskAssignment::to_json() const {
  return {{"job", job},
          {"task_id", task_id},
          {"attempt", attempt},
          {"kind", task_kind_name(kind)},
          {"label", label},
          {"key", key},
          {"params", params},
          {"inputs", datasets_to_json(inputs)},
          {"staging_dir", staging_dir},
          {"final_dir", final_dir},
          {"threads", limits.threads},
          {"memory_limit", limits.memory_limit},
          {"temp_directory", limits.temp_directory},
          {"fault_probability", fault_probability},
          {"memory_output_bytes", memory_output_bytes},
          {"attachments", attachments}};
}

TaskAssignment TaskAssignment::from_json(const Json& j) {
  TaskAssignment a;
  a.job = j.at("job");
  a.task_id = j.at("task_id");
  a.attempt = j.at("attempt");
  a.kind = kind_from_name(j.at("kind"));
  a.label = j.at("label");
  a.key = j.at("key");
  a.params = j.at("params");
  a.inputs = datasets_from_json(j.at("inputs"));
  a.staging_dir = j.at("staging_dir");
  a.final_dir = j.at("final_dir");
  a.limits.threads = j.at("threads");
  a.limits.memory_limit = j.at("memory_limit");
  a.limits.temp_directory = j.at("temp_directory");
  a.fault_probability = j.value("fault_probability", 0.0);
  a.memory_output_bytes = j.value("memory_output_bytes", int64_t(0));
  a.attachments = j.value("attachments", Json::object());
  return a;
}

Json TaskOutcome::to_json() const {
  return {{"job", job},
          {"task_id", task_id},
          {"attempt", attempt},
          {"ok", ok},
          {"outputs", datasets_to_json(outputs)},
          {"rows", rows},
          {"seconds", seconds},
          {"error", error},
          {"retryable", retryable},
          {"out_of_memory", out_of_memory},
          {"memory_bytes", memory_bytes}};
}

TaskOutcome TaskOutcome::from_json(const Json& j) {
  TaskOutcome o;
  o.job = j.at("job");
  o.task_id = j.at("task_id");
  o.attempt = j.at("attempt");
  o.ok = j.at("ok");
  o.outputs = datasets_from_json(j.at("outputs"));
  o.rows = j.at("rows");
  o.seconds = j.at("seconds");
  o.error = j.at("error");
  o.retryable = j.at("retryable");
  o.out_of_memory = j.value("out_of_memory", false);
  o.memory_bytes = j.value("memory_bytes", int64_t(0));
  return o;
}

}  // namespace smallpond
