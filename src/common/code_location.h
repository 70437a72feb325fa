#pragma once
// Naming a function so that another process running the same program finds it: the loaded
// object (the program or a shared library) and the offset of the code in it. Executors are
// the same binary (re-executed, or the same program on every MPI rank), so the place is the
// same; the first bytes of the code are kept too, to catch a different build.

#include "common/json.h"

namespace smallpond {

//! Throws InvalidInputError when fn is not code of a loaded object.
Json locate_code(const void* fn);
//! The address of located code in this process; throws ExecutionError when this process does
//! not have the same code there.
const void* resolve_code(const Json& location);

}  // namespace smallpond
