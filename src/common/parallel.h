#pragma once
// Work split over threads: for plan-time loops over very many independent items (a million
// files' fingerprints), where one thread would keep the driver waiting.

#include <cstddef>
#include <functional>

namespace smallpond {

//! Calls fn(begin, end) over consecutive ranges covering [0, n), on up to `threads` threads
//! (fewer when n is small; the calling thread takes one range). The first exception thrown,
//! in range order, is rethrown after every thread has finished.
void parallel_ranges(size_t n, int threads, const std::function<void(size_t, size_t)>& fn);

}  // namespace smallpond
