#pragma once

#include "engine/engine.h"

namespace smallpond {

//! The DuckDB in which the driver parses, binds and describes queries while it plans a job
//! (the optimizer's rewrites, sort orders, CSV headers). One per process, started on first use
//! and kept: starting a database costs about 15 ms, once per job before. It holds no data and
//! keeps DuckDB's settings for one thread; every caller takes its own connection.
Engine& planning_engine();

}  // namespace smallpond
