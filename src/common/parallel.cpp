#include "common/parallel.h"

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

namespace smallpond {

void parallel_ranges(size_t n, int threads, const std::function<void(size_t, size_t)>& fn) {
  constexpr size_t kMinPerThread = 256;  // below this, a thread costs more than it saves
  size_t parts =
      std::max<size_t>(1, std::min<size_t>(threads < 1 ? 1 : threads, n / kMinPerThread));
  if (parts == 1) {
    if (n > 0) fn(0, n);
    return;
  }
  std::vector<std::exception_ptr> errors(parts);
  auto run = [&](size_t p) {
    try {
      fn(n * p / parts, n * (p + 1) / parts);
    } catch (...) {
      errors[p] = std::current_exception();
    }
  };
  std::vector<std::thread> workers;
  for (size_t p = 1; p < parts; p++) workers.emplace_back(run, p);
  run(0);
  for (auto& w : workers) w.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace smallpond
