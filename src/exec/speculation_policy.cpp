#include "exec/speculation_policy.h"

#include <algorithm>

namespace smallpond {

std::optional<double> SpeculationPolicy::straggler(const std::string& step, double elapsed) const {
  auto it = durations_.find(step);
  if (it == durations_.end() || it->second.size() < 3) return std::nullopt;
  double median = it->second.median();
  double threshold = std::max(ratio_ * median, median + min_seconds_);
  if (elapsed <= threshold) return std::nullopt;
  return median;
}

}  // namespace smallpond
