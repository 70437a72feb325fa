#include "plan/task.h"

#include "smallpond/error.h"

namespace smallpond {

namespace {
constexpr TaskKind kKinds[] = {TaskKind::Source, TaskKind::Split,       TaskKind::Pick,
                               TaskKind::Sql,    TaskKind::HashProduce, TaskKind::Function};
}

const char* task_kind_name(TaskKind kind) {
  switch (kind) {
    case TaskKind::Source:
      return "source";
    case TaskKind::Split:
      return "split";
    case TaskKind::Pick:
      return "pick";
    case TaskKind::Sql:
      return "sql";
    case TaskKind::HashProduce:
      return "hash_produce";
    case TaskKind::Function:
      return "function";
  }
  return "?";
}

TaskKind task_kind_from_name(const std::string& name) {
  for (TaskKind k : kKinds)
    if (name == task_kind_name(k)) return k;
  throw InternalError("unknown task kind '" + name + "'");
}

}  // namespace smallpond
