#include "exec/executor_loop.h"

namespace smallpond {

namespace {

ExportedMessage export_tables(TaskRunner& runner, const ExportMessage& request) {
  ExportedMessage reply;
  for (auto& table : request.tables) {
    try {
      reply.tables[table] = binary_value(runner.export_table(table));
    } catch (const std::exception& e) {
      reply.missing.push_back(table);
      if (reply.error.empty()) reply.error = e.what();
    }
  }
  return reply;
}

}  // namespace

void serve_executor(MessageChannel& channel, TaskRunner& runner) {
  while (auto message = channel.receive()) {
    if (std::holds_alternative<ShutdownMessage>(*message)) return;
    if (auto* run = std::get_if<RunMessage>(&*message))
      channel.send(ResultMessage{runner.run(run->task)});
    else if (auto* request = std::get_if<ExportMessage>(&*message))
      channel.send(export_tables(runner, *request));
    else if (auto* drop = std::get_if<DropMessage>(&*message))
      runner.drop_tables(drop->tables);
    // others are ignored, for forward compatibility
  }
}

}  // namespace smallpond
