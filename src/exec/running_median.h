#pragma once
// The median of a growing set of numbers, in O(log n) per number added: two heaps, the lower
// half (max at the top) and the upper half (min at the top). The scheduler asks for a step's
// median task duration on every pass of its loop; sorting all durations each time made that
// quadratic in the number of tasks.

#include <cstddef>
#include <functional>
#include <queue>
#include <vector>

namespace smallpond {

class RunningMedian {
 public:
  void add(double x) {
    if (low_.empty() || x <= low_.top())
      low_.push(x);
    else
      high_.push(x);
    // Keep low_ as large as high_ or one larger.
    if (low_.size() > high_.size() + 1) {
      high_.push(low_.top());
      low_.pop();
    } else if (high_.size() > low_.size()) {
      low_.push(high_.top());
      high_.pop();
    }
  }
  size_t size() const { return low_.size() + high_.size(); }
  //! The upper median (the element at index size/2 in sorted order); 0 when empty.
  double median() const {
    if (low_.empty()) return 0;
    if (low_.size() == high_.size()) return high_.top();
    return low_.top();
  }

 private:
  std::priority_queue<double> low_;
  std::priority_queue<double, std::vector<double>, std::greater<double>> high_;
};

}  // namespace smallpond
