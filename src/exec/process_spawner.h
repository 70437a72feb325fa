#pragma once
// Forks on a thread of its own. A child's parent-death signal (PR_SET_PDEATHSIG) follows the
// thread that forked it, not the process: executors forked by the thread of one action (a
// std::thread of the program, the helper thread a Python action runs on) were killed when
// that thread ended, and the next action found them lost. Forked here, they live until the
// spawner goes (with its pool) or the process dies.

#include <sys/types.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

namespace smallpond {

class ProcessSpawner {
 public:
  ProcessSpawner();
  ~ProcessSpawner();
  ProcessSpawner(const ProcessSpawner&) = delete;
  ProcessSpawner& operator=(const ProcessSpawner&) = delete;

  //! Runs fork_and_exec (which forks and returns the child's pid in the parent) on the
  //! spawner's thread; returns its result or rethrows its exception.
  pid_t spawn(std::function<pid_t()> fork_and_exec);

 private:
  void loop();
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::packaged_task<pid_t()>> requests_;
  bool stopping_ = false;
  std::thread thread_;  // last: started when the rest is ready
};

}  // namespace smallpond
