// Executors on other machines over TCP (Options::listen_address, `smallpond relay HOST:PORT`),
// here on loopback: results against DuckDB on the unpartitioned data, a node killed in the
// middle of a job (its tasks run on the others), a node that never comes, a node's task
// observer (what Ray's task list shows).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mutex>
#include <thread>

#include "e2e/cli_run.h"
#include "io/filesystem.h"
#include "smallpond/smallpond.h"
#include "support/test_env.h"

namespace smallpond {
namespace {

using testing::contains;
using testing::duckdb_query;
using testing::sorted;

// A port that nothing listens on now.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// `smallpond relay address` as a child process, in a process group of its own (with its
// executor process), killed with it when the node goes.
struct Node {
  pid_t pid = -1;
  explicit Node(const std::string& address) {
    pid = ::fork();
    if (pid == 0) {
      ::setpgid(0, 0);
      ::execl(SMALLPOND_CLI, SMALLPOND_CLI, "relay", address.c_str(), "--connect-timeout", "30",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  void kill() { ::kill(-pid, SIGKILL); }
  int wait() {
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return status;
  }
  ~Node() {
    if (pid > 0) {
      kill();
      wait();
    }
  }
};

Options on_nodes(const testing::TempDir& dir, const std::string& address, int nodes) {
  Options o;
  o.job_dir = dir / "job";
  o.listen_address = address;
  o.executors = nodes;
  o.executor_connect_timeout = 30;
  o.progress = false;
  return o;
}

std::string prices_glob() { return testing::small_prices_dir() + "/*.parquet"; }

TEST(ExecutorNodes, AJobRunsOnNodesThatConnected) {
  testing::TempDir dir;
  std::string address = "127.0.0.1:" + std::to_string(free_port());
  Node a(address), b(address);
  {
    auto sp = init(on_nodes(dir, address, 2));
    auto df = sp.partial_sql(
        "SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM {0} GROUP BY ticker",
        sp.read_parquet(prices_glob()).repartition(6, "ticker"));
    Table truth =
        sorted(duckdb_query("SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM "
                            "read_parquet('" +
                            prices_glob() + "') GROUP BY ticker"));
    EXPECT_EQ(sorted(df.to_table()).rows, truth.rows);
    // Both nodes took tasks.
    std::string trace;
    for (auto& f : list_files_recursive(dir / "job/log")) trace += read_file(dir / "job/log/" + f);
    EXPECT_TRUE(contains(trace, ",executed,")) << trace;
  }
  // The session went: the nodes were told to stop, and did.
  EXPECT_EQ(a.wait(), 0);
  EXPECT_EQ(b.wait(), 0);
}

TEST(ExecutorNodes, ANodeKilledMidJobLeavesItsTasksToTheOthers) {
  testing::TempDir dir;
  std::string address = "127.0.0.1:" + std::to_string(free_port());
  Node a(address), b(address);
  auto sp = init(on_nodes(dir, address, 2));
  // Eight tasks of about a second each.
  auto df = sp.partial_sql(
      "SELECT {__data_partition__} AS part, (SELECT sum(i % 7) FROM range(150000000) t(i)) AS s, "
      "count(*) AS n FROM {0}",
      sp.read_parquet(prices_glob()).repartition(8, "ticker"));
  std::thread killer([&] {
    testing::wait_for_attempts(dir / "job", 5);  // the shuffle's four, and a first query
    a.kill();
  });
  Table t = sorted(df.to_table());
  killer.join();
  ASSERT_EQ(t.num_rows(), 8u);
  int64_t rows = 0;
  for (auto& r : t.rows) rows += r.at(2).as_int();
  EXPECT_EQ(rows, testing::kSmallPricesRows);
  std::string trace;
  for (auto& f : list_files_recursive(dir / "job/log")) trace += read_file(dir / "job/log/" + f);
  EXPECT_TRUE(contains(trace, ",lost,")) << trace;
}

TEST(ExecutorNodes, NodesThatNeverComeAreAClearError) {
  testing::TempDir dir;
  std::string address = "127.0.0.1:" + std::to_string(free_port());
  Node a(address);
  Options o = on_nodes(dir, address, 2);
  o.executor_connect_timeout = 2;
  auto sp = init(o);
  try {
    sp.read_parquet(prices_glob()).repartition(2, "ticker").count();
    FAIL() << "no error";
  } catch (const InvalidInputError& e) {
    EXPECT_TRUE(contains(e.what(), "1 of 2 executor nodes connected to " + address)) << e.what();
    EXPECT_TRUE(contains(e.what(), "smallpond relay " + address)) << e.what();
  }
}

// What a node's task observer was told, in order: "start label attempt" and "end error".
struct ObservedTasks {
  std::mutex mutex;
  std::vector<std::string> events;
  TaskObserver observer{[this](const std::string& label, int attempt) {
                          std::lock_guard<std::mutex> lock(mutex);
                          events.push_back("start " + label + " " + std::to_string(attempt));
                        },
                        [this](const std::string& error) {
                          std::lock_guard<std::mutex> lock(mutex);
                          events.push_back("end " + error);
                        }};
};

TEST(ExecutorNodes, ATaskObserverSeesEveryAttemptAndItsOutcome) {
  testing::TempDir dir;
  std::string address = "127.0.0.1:" + std::to_string(free_port());
  ObservedTasks seen;
  std::thread node([&] { serve_executor_node(address, {}, 30, nullptr, &seen.observer); });
  {
    auto sp = init(on_nodes(dir, address, 1));
    auto source = sp.read_parquet(prices_glob()).repartition(3, "ticker");
    auto counts = sp.partial_sql("SELECT count(*) AS n FROM {0}", source);
    int64_t rows = 0;
    for (auto& r : counts.to_table().rows) rows += r.at(0).as_int();
    EXPECT_EQ(rows, testing::kSmallPricesRows);
    EXPECT_THROW(sp.partial_sql("SELECT error('no good ' || count(*)) FROM {0}", source).to_table(),
                 std::exception);
  }
  node.join();  // the session went: the node was told to stop
  // Every start is followed by its end; the query's three tasks succeeded, the failing query's
  // end names its error.
  int started = 0, query_ok = 0, failed = 0;
  for (size_t i = 0; i < seen.events.size(); ++i) {
    const std::string& e = seen.events[i];
    ASSERT_EQ(e.rfind(i % 2 == 0 ? "start " : "end", 0), 0u) << i << ": " << e;
    if (i % 2 == 1) continue;
    ++started;
    ASSERT_LT(i + 1, seen.events.size());
    const std::string& end = seen.events[i + 1];
    EXPECT_EQ(e.substr(e.size() - 2), " 1") << "first attempts: " << e;
    if (e.rfind("start sql_", 0) == 0 && end == "end ") ++query_ok;
    if (contains(end, "no good")) {
      ++failed;
    } else {
      EXPECT_EQ(end, "end ") << e;
    }
  }
  EXPECT_GE(started, 6) << "a shuffle's tasks and three queries";
  std::string all;
  for (auto& e : seen.events) all += e + "\n";
  EXPECT_EQ(query_ok, 3) << all;
  EXPECT_GE(failed, 1);
}

}  // namespace
}  // namespace smallpond
