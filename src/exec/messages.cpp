#include "exec/messages.h"

#include "smallpond/error.h"

namespace smallpond {

namespace {

// Each struct's fields, to JSON and back; one pair per message type (the list in messages.h
// makes sure each has one: a type without them does not compile).

Json fields(const RunMessage& m) { return {{"task", m.task.to_json()}}; }
void read(Json& j, RunMessage& m) { m.task = TaskAssignment::from_json(j.at("task")); }

Json fields(const ResultMessage& m) { return {{"outcome", m.outcome.to_json()}}; }
void read(Json& j, ResultMessage& m) { m.outcome = TaskOutcome::from_json(j.at("outcome")); }

Json fields(const HeartbeatMessage&) { return Json::object(); }
void read(Json&, HeartbeatMessage&) {}

Json fields(const ExportMessage& m) {
  Json j = {{"tables", m.tables}};
  if (m.to >= 0) j["to"] = m.to;
  return j;
}
void read(Json& j, ExportMessage& m) {
  m.tables = j.at("tables").get<std::vector<std::string>>();
  m.to = j.value("to", -1);
}

Json tables_json(const TableBytes& tables) {
  Json j = Json::object();
  for (auto& [name, bytes] : tables) j[name] = bytes;
  return j;
}
TableBytes read_tables(Json& j) {
  TableBytes out;
  if (!j.contains("tables")) return out;
  for (auto& [name, bytes] : j["tables"].items()) {
    if (!bytes.is_binary()) throw InternalError("malformed message: table " + name + " not bytes");
    out.emplace(name, std::move(bytes));
  }
  return out;
}

Json fields(const ExportedMessage& m) {
  Json j = {{"tables", tables_json(m.tables)}, {"missing", m.missing}};
  if (!m.error.empty()) j["error"] = m.error;
  if (m.delivered_to >= 0) {
    j["delivered_to"] = m.delivered_to;
    j["delivered"] = m.delivered;
  }
  if (m.by_reference) j["by_reference"] = true;
  return j;
}
void read(Json& j, ExportedMessage& m) {
  m.tables = read_tables(j);
  m.missing = j.value("missing", std::vector<std::string>{});
  m.error = j.value("error", std::string());
  m.delivered_to = j.value("delivered_to", -1);
  m.delivered = j.value("delivered", std::vector<std::string>{});
  m.by_reference = j.value("by_reference", false);
}

Json fields(const DropMessage& m) { return {{"tables", m.tables}}; }
void read(Json& j, DropMessage& m) { m.tables = j.at("tables").get<std::vector<std::string>>(); }

Json fields(const AbandonMessage&) { return Json::object(); }
void read(Json&, AbandonMessage&) {}

Json fields(const ShutdownMessage& m) { return {{"finalize", m.finalize}}; }
void read(Json& j, ShutdownMessage& m) { m.finalize = j.value("finalize", true); }

Json fields(const TablesMessage& m) { return {{"tables", tables_json(m.tables)}}; }
void read(Json& j, TablesMessage& m) { m.tables = read_tables(j); }

Json fields(const RetiredMessage&) { return Json::object(); }
void read(Json&, RetiredMessage&) {}

Json fields(const AliveMessage&) { return Json::object(); }
void read(Json&, AliveMessage&) {}

template <class Struct>
const char* name_of();
#define SMALLPOND_MESSAGE_NAME(Struct, name) \
  template <>                                \
  const char* name_of<Struct>() {            \
    return name;                             \
  }
SMALLPOND_MESSAGES(SMALLPOND_MESSAGE_NAME)
#undef SMALLPOND_MESSAGE_NAME

}  // namespace

std::string message_name(const Message& message) {
  return std::visit(
      [](const auto& m) -> std::string {
        using Struct = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<Struct, UnknownMessage>)
          return m.type;
        else
          return name_of<Struct>();
      },
      message);
}

Json message_to_json(const Message& message) {
  return std::visit(
      [](const auto& m) -> Json {
        using Struct = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<Struct, UnknownMessage>) {
          return {{"type", m.type}};
        } else {
          Json j = fields(m);
          j["type"] = name_of<Struct>();
          return j;
        }
      },
      message);
}

Message message_from_json(Json json) {
  auto it = json.find("type");
  if (it == json.end() || !it->is_string()) return UnknownMessage{};
  std::string type = it->get<std::string>();
  try {
#define SMALLPOND_MESSAGE_READ(Struct, name) \
  if (type == name) {                        \
    Struct m;                                \
    read(json, m);                           \
    return m;                                \
  }
    SMALLPOND_MESSAGES(SMALLPOND_MESSAGE_READ)
#undef SMALLPOND_MESSAGE_READ
  } catch (const Json::exception& e) {
    throw InternalError("malformed '" + type + "' message: " + e.what());
  }
  return UnknownMessage{type};
}

std::string encode(const Message& message) { return encode_message(message_to_json(message)); }

Message decode(const std::string& bytes) { return message_from_json(decode_message(bytes)); }

}  // namespace smallpond
