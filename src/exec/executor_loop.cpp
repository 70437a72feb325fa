#include "exec/executor_loop.h"

namespace smallpond {

void serve_executor(MessageChannel& channel, TaskRunner& runner) {
  while (auto message = channel.receive()) {
    const std::string type = message->value("type", "");
    if (type == "shutdown") return;
    if (type != "run") continue;  // unknown messages are ignored, for forward compatibility
    TaskOutcome outcome = runner.run(TaskAssignment::from_json(message->at("task")));
    channel.send({{"type", "result"}, {"outcome", outcome.to_json()}});
  }
}

}  // namespace smallpond
