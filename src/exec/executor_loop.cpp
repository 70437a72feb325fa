#include "exec/executor_loop.h"

#include "exec/messages.h"

namespace smallpond {

void serve_executor(MessageChannel& channel, TaskRunner& runner) {
  while (auto message = channel.receive()) {
    MessageType type = message_type(*message);
    if (type == MessageType::Shutdown) return;
    if (type == MessageType::Export) {
      Json reply = message_of(MessageType::Exported);
      reply["tables"] = Json::object();
      reply["missing"] = Json::array();
      for (auto& table : message->at("tables")) {
        try {
          reply["tables"][table.get<std::string>()] =
              binary_value(runner.export_table(table.get<std::string>()));
        } catch (const std::exception& e) {
          reply["missing"].push_back(table);
          if (!reply.contains("error")) reply["error"] = e.what();
        }
      }
      channel.send(reply);
      continue;
    }
    if (type == MessageType::Drop) {
      runner.drop_tables(message->at("tables").get<std::vector<std::string>>());
      continue;
    }
    if (type != MessageType::Run) continue;  // others are ignored, for forward compatibility
    TaskOutcome outcome = runner.run(TaskAssignment::from_json(message->at("task")));
    channel.send(result_message(outcome));
  }
}

}  // namespace smallpond
