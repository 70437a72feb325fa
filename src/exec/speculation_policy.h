#pragma once
// Which running attempts are stragglers: an attempt running longer than
// max(ratio × median, median + min_seconds) of its step's finished attempts (once at least 3
// have finished) is started again elsewhere, once.

#include <map>
#include <optional>
#include <string>

#include "exec/running_median.h"

namespace smallpond {

class SpeculationPolicy {
 public:
  SpeculationPolicy(double ratio, double min_seconds) : ratio_(ratio), min_seconds_(min_seconds) {}
  //! An attempt of the step finished in `seconds`.
  void finished(const std::string& step, double seconds) { durations_[step].add(seconds); }
  //! The step's median when an attempt running for `elapsed` seconds is a straggler.
  std::optional<double> straggler(const std::string& step, double elapsed) const;

 private:
  double ratio_;
  double min_seconds_;
  std::map<std::string, RunningMedian> durations_;  // step -> seconds of finished attempts
};

}  // namespace smallpond
