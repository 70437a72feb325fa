#pragma once
// Crash points: named places in the publishing code where a test can make this process die
// (SIGKILL, as a power loss or the OOM killer would), so that every step of a publish can be
// interrupted deterministically rather than by timing.
//
//   SMALLPOND_CRASH_POINT=<point>:<marker file>
//     The first process (driver or executor) that reaches <point> while the marker file does
//     not exist creates it and kills itself. Later runs pass the point.
//
// Points are named "<what>.<step>", e.g. "sink.after_exchange"; docs/architecture.md lists
// them. Without the variable a crash point costs one comparison.

namespace smallpond {

//! Dies here when the environment names this point (see above).
void crash_point(const char* point);

//! Fault points: SMALLPOND_FAULT_POINT=<point>:<marker file> makes fault_point(point) true for
//! the first process that reaches it while the marker does not exist (it creates the marker);
//! the caller then fails as the fault it stands for would (e.g. a read failing with EIO).
bool fault_point(const char* point);

}  // namespace smallpond
