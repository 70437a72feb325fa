#include "exec/executor_loop.h"

namespace smallpond {

void serve_executor(MessageChannel& channel, TaskRunner& runner) {
  while (auto message = channel.receive()) {
    const std::string type = message->value("type", "");
    if (type == "shutdown") return;
    if (type == "export") {
      Json reply = {{"type", "exported"}, {"tables", Json::object()}, {"missing", Json::array()}};
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
    if (type == "drop") {
      runner.drop_tables(message->at("tables").get<std::vector<std::string>>());
      continue;
    }
    if (type != "run") continue;  // unknown messages are ignored, for forward compatibility
    TaskOutcome outcome = runner.run(TaskAssignment::from_json(message->at("task")));
    channel.send({{"type", "result"}, {"outcome", outcome.to_json()}});
  }
}

}  // namespace smallpond
