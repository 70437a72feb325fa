#include "exec/messages.h"

namespace smallpond {

namespace {
struct TypeName {
  MessageType type;
  const char* name;
};
constexpr TypeName kNames[] = {
    {MessageType::Run, "run"},
    {MessageType::Result, "result"},
    {MessageType::Heartbeat, "heartbeat"},
    {MessageType::Export, "export"},
    {MessageType::Exported, "exported"},
    {MessageType::Drop, "drop"},
    {MessageType::Abandon, "abandon"},
    {MessageType::Shutdown, "shutdown"},
    {MessageType::Tables, "tables"},
    {MessageType::Retired, "retired"},
    {MessageType::Alive, "alive"},
};
}  // namespace

const char* message_type_name(MessageType type) {
  for (auto& n : kNames)
    if (n.type == type) return n.name;
  return "unknown";
}

MessageType message_type(const Json& message) {
  auto it = message.find("type");
  if (it == message.end() || !it->is_string()) return MessageType::Unknown;
  const std::string& name = it->get_ref<const std::string&>();
  for (auto& n : kNames)
    if (name == n.name) return n.type;
  return MessageType::Unknown;
}

Json message_of(MessageType type) { return {{"type", message_type_name(type)}}; }

Json run_message(const TaskAssignment& task) {
  Json m = message_of(MessageType::Run);
  m["task"] = task.to_json();
  return m;
}

Json result_message(const TaskOutcome& outcome) {
  Json m = message_of(MessageType::Result);
  m["outcome"] = outcome.to_json();
  return m;
}

}  // namespace smallpond
