#include "engine/planning_engine.h"

namespace smallpond {

Engine& planning_engine() {
  static Engine* engine = [] {
    // Never destroyed: a database torn down among the other statics at exit gains nothing.
    auto* e = new Engine();
    // The first connection sets the database-wide settings (one thread), so that the
    // connections taken later, maybe from several threads at once, change nothing.
    e->connect();
    return e;
  }();
  return *engine;
}

}  // namespace smallpond
