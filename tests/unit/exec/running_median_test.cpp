// The running median equals the element at index n/2 of the sorted values, at every step.
#include "exec/running_median.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace smallpond {
namespace {

TEST(RunningMedian, EqualsTheSortedMiddleAtEveryStep) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> dist(0, 100);
  RunningMedian m;
  std::vector<double> all;
  EXPECT_EQ(m.median(), 0);
  for (int i = 0; i < 2000; i++) {
    double x = i % 10 == 0 ? 5.0 : dist(rng);  // with duplicates
    m.add(x);
    all.push_back(x);
    std::vector<double> d = all;
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    ASSERT_EQ(m.median(), d[d.size() / 2]) << "after " << i + 1;
    ASSERT_EQ(m.size(), all.size());
  }
}

}  // namespace
}  // namespace smallpond
