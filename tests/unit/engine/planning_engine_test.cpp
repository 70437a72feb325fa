// The driver's one DuckDB for planning: shared by every plan of the process, from any thread.
#include "engine/planning_engine.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace smallpond {
namespace {

TEST(PlanningEngine, OneEngineWithOneThread) {
  EXPECT_EQ(&planning_engine(), &planning_engine());
  auto con = planning_engine().connect();
  EXPECT_EQ(con->query_int("SELECT current_setting('threads')"), 1);
}

TEST(PlanningEngine, ConnectionsFromManyThreadsAtOnce) {
  // Each thread binds its own queries: every answer must be its own, none lost to another.
  constexpr int kThreads = 8;
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++)
    threads.emplace_back([t, &errors] {
      try {
        auto con = planning_engine().connect();
        for (int i = 0; i < 50; i++) {
          std::string name = "c" + std::to_string(t) + "_" + std::to_string(i);
          Table d = con->query("DESCRIBE SELECT " + std::to_string(i) + "::SMALLINT AS " + name);
          if (d.rows.at(0).at(0).as_string() != name ||
              d.rows.at(0).at(1).as_string() != "SMALLINT")
            errors[t] = "wrong description for " + name;
          if (con->query_int("SELECT " + std::to_string(t * 1000 + i)) != t * 1000 + i)
            errors[t] = "wrong value in thread " + std::to_string(t);
        }
      } catch (const std::exception& e) {
        errors[t] = e.what();
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; t++) EXPECT_EQ(errors[t], "") << "thread " << t;
}

}  // namespace
}  // namespace smallpond
