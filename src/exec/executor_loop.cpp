#include "exec/executor_loop.h"

#include "common/base64.h"

namespace smallpond {

void serve_executor(MessageChannel& channel, TaskRunner& runner) {
  while (auto message = channel.receive()) {
    const std::string type = message->value("type", "");
    if (type == "shutdown") return;
    if (type == "export") {
      std::string table = message->at("table");
      Json reply = {{"type", "exported"}, {"table", table}};
      try {
        reply["data"] = base64_encode(runner.export_table(table));
      } catch (const std::exception& e) {
        reply["error"] = e.what();
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
