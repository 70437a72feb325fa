#include "plan/task.h"

#include "smallpond/error.h"

namespace smallpond {

const char* task_kind_name(TaskKind kind) {
  switch (kind) {
#define SMALLPOND_TASK_KIND_NAME(kind, name, Params) \
  case TaskKind::kind:                               \
    return name;
    SMALLPOND_TASK_KINDS(SMALLPOND_TASK_KIND_NAME)
#undef SMALLPOND_TASK_KIND_NAME
  }
  return "?";
}

bool runs_on_executor(TaskKind kind) {
  switch (kind) {
#define SMALLPOND_TASK_KIND_ON_EXECUTOR(kind, name, Params) case TaskKind::kind:
    SMALLPOND_EXECUTOR_TASK_KINDS(SMALLPOND_TASK_KIND_ON_EXECUTOR)
#undef SMALLPOND_TASK_KIND_ON_EXECUTOR
    return true;
    default:
      return false;
  }
}

TaskKind task_kind_from_name(const std::string& name) {
#define SMALLPOND_TASK_KIND_FROM_NAME(kind, wire_name, Params) \
  if (name == wire_name) return TaskKind::kind;
  SMALLPOND_TASK_KINDS(SMALLPOND_TASK_KIND_FROM_NAME)
#undef SMALLPOND_TASK_KIND_FROM_NAME
  throw InternalError("unknown task kind '" + name + "'");
}

}  // namespace smallpond
