#pragma once
// Naming a function so that another process running the same program finds it: the loaded
// object (the program or a shared library) and the offset of the code in it. Executors are
// the same binary (re-executed, or the same program on every MPI rank), so the place is the
// same; the first bytes of the code are kept too, to catch a different build.
//
// The location is also the function's identity in task keys, so it must change whenever what
// the function computes may have changed:
//   - "build": the object's GNU build id (a hash the linker computes over the whole object), or
//     where there is none, a hash of the object's file. Any rebuild that changes the object
//     gives new keys to every function step in it, even if that function's own code did not
//     change: hashing only the function's bytes would miss a changed constant it loads from
//     elsewhere (`x * 2.0` to `x * 3.0` changes .rodata, not the instruction) or a changed
//     helper it calls. Recomputing too much is the price of never reusing a stale output.
//   - "args": a hash of the program's arguments. Executors run with the same command line, so
//     a function may read them (through a global set before init()); other arguments make it
//     another function. SQL steps do not depend on them.

#include "common/json.h"

namespace smallpond {

//! Throws InvalidInputError when fn is not code of a loaded object.
Json locate_code(const void* fn);
//! The address of located code in this process; throws ExecutionError when this process does
//! not have the same code there.
const void* resolve_code(const Json& location);

}  // namespace smallpond
