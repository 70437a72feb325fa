// Executors on other machines over TCP (Options::listen_address, `smallpond relay HOST:PORT`),
// here on loopback: results against DuckDB on the unpartitioned data, a node killed in the
// middle of a job (its tasks run on the others), a node that never comes.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

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

}  // namespace
}  // namespace smallpond
