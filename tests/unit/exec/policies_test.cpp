// The scheduler's policies on their own: retries and stragglers.
#include <gtest/gtest.h>

#include "exec/retry_policy.h"
#include "exec/speculation_policy.h"

namespace smallpond {
namespace {

FailedAttempt failure(int attempts, bool retryable = true) {
  FailedAttempt f;
  f.step = "stats";
  f.error = "stats[1]: boom";
  f.attempts = attempts;
  f.retryable = retryable;
  return f;
}

TEST(RetryPolicy, RetriesUpToMaxRetryThenFailsNamingTheStepAndAttempts) {
  RetryPolicy policy(/*max_retry=*/2, /*max_fail=*/-1);
  EXPECT_EQ(policy.decide(failure(1)).action, RetryDecision::Action::Retry);
  EXPECT_EQ(policy.decide(failure(2)).action, RetryDecision::Action::Retry);
  RetryDecision last = policy.decide(failure(3));
  EXPECT_EQ(last.action, RetryDecision::Action::Fail);
  EXPECT_EQ(last.error, "step 'stats' failed after 3 attempts: stats[1]: boom");
  EXPECT_EQ(policy.failures(), 3);
}

TEST(RetryPolicy, AttemptsLostWithTheirNodeDoNotCountUpToAnAllowance) {
  RetryPolicy policy(/*max_retry=*/1, /*max_fail=*/-1);
  FailedAttempt f = failure(3);
  f.node_losses = 2;  // two nodes went away under it, one attempt failed on its own
  EXPECT_EQ(policy.decide(f).action, RetryDecision::Action::Retry);
  f = failure(4);
  f.node_losses = 2;
  EXPECT_EQ(policy.decide(f).action, RetryDecision::Action::Fail);
  // A task that takes down every node it runs on is not retried for ever.
  const int allowance = RetryPolicy::kNodeLossAllowance;
  f = failure(allowance + 1);
  f.node_losses = allowance + 1;
  EXPECT_EQ(policy.decide(f).action, RetryDecision::Action::Retry);
  f = failure(allowance + 2);
  f.node_losses = allowance + 2;
  RetryDecision last = policy.decide(f);
  EXPECT_EQ(last.action, RetryDecision::Action::Fail);
  EXPECT_NE(last.error.find("after " + std::to_string(allowance + 2) + " attempts"),
            std::string::npos)
      << last.error;
}

TEST(RetryPolicy, AnErrorThatCannotPassIsNotRetried) {
  RetryPolicy policy(3, -1);
  RetryDecision d = policy.decide(failure(1, /*retryable=*/false));
  EXPECT_EQ(d.action, RetryDecision::Action::Fail);
  EXPECT_NE(d.error.find("not retried"), std::string::npos) << d.error;
}

TEST(RetryPolicy, TheJobsFailureBudgetStopsIt) {
  RetryPolicy policy(10, /*max_fail=*/2);
  EXPECT_EQ(policy.decide(failure(1)).action, RetryDecision::Action::Retry);
  EXPECT_EQ(policy.decide(failure(1)).action, RetryDecision::Action::Retry);
  RetryDecision d = policy.decide(failure(1));
  EXPECT_EQ(d.action, RetryDecision::Action::Fail);
  EXPECT_NE(d.error.find("limit of 2 failed attempts"), std::string::npos) << d.error;
}

TEST(RetryPolicy, OutOfMemoryDoublesTheMemoryAndAnOomKillRunsItAlone) {
  RetryPolicy policy(3, -1);
  FailedAttempt f = failure(1);
  f.out_of_memory = true;
  RetryDecision d = policy.decide(f);
  EXPECT_TRUE(d.double_memory);
  EXPECT_FALSE(d.run_alone);
  f.oom_killed = true;
  d = policy.decide(f);
  EXPECT_TRUE(d.double_memory);
  EXPECT_TRUE(d.run_alone);
}

TEST(RetryPolicy, ARunningTwinIsWaitedForUnlessTheErrorCannotPass) {
  RetryPolicy policy(0, -1);
  FailedAttempt f = failure(5);
  f.twin_running = true;
  EXPECT_EQ(policy.decide(f).action, RetryDecision::Action::WaitForTwin);
  f.retryable = false;
  EXPECT_EQ(policy.decide(f).action, RetryDecision::Action::Fail);
}

TEST(SpeculationPolicy, AStragglerRunsPastRatioTimesTheMedianAndTheMinimum) {
  SpeculationPolicy policy(/*ratio=*/2.0, /*min_seconds=*/1.0);
  policy.finished("a", 1.0);
  policy.finished("a", 2.0);
  EXPECT_FALSE(policy.straggler("a", 100)) << "fewer than 3 finished attempts";
  policy.finished("a", 3.0);  // median 2: threshold max(4, 3) = 4
  EXPECT_FALSE(policy.straggler("a", 4.0));
  ASSERT_TRUE(policy.straggler("a", 4.1));
  EXPECT_DOUBLE_EQ(*policy.straggler("a", 4.1), 2.0);
  EXPECT_FALSE(policy.straggler("b", 100)) << "another step's times do not count";
  SpeculationPolicy slow_floor(2.0, 30.0);  // median 2: threshold max(4, 32) = 32
  for (double x : {1.0, 2.0, 3.0}) slow_floor.finished("a", x);
  EXPECT_FALSE(slow_floor.straggler("a", 31));
  EXPECT_TRUE(slow_floor.straggler("a", 33));
}

}  // namespace
}  // namespace smallpond
