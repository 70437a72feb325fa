#include "exec/local_process_pool.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/system.h"
#include "exec/liveness.h"
#include "smallpond/error.h"

extern char** environ;

namespace smallpond {

const char* const kExecutorFdVariable = "SMALLPOND_EXECUTOR_FD";
const char* const kExecutorIdVariable = "SMALLPOND_EXECUTOR_ID";

LocalProcessPool::LocalProcessPool(int executors, double heartbeat_timeout,
                                   std::vector<std::string> command)
    : liveness_(executors, heartbeat_timeout), command_(std::move(command)), executors_(executors) {
  if (!command_.empty() && command_[0].rfind('/', 0) != 0)
    throw InvalidInputError("the executor program must be an absolute path, not '" + command_[0] +
                            "'");
  for (int i = 0; i < executors; i++) start(i);
}

LocalProcessPool::~LocalProcessPool() { shutdown(); }

void LocalProcessPool::start(int executor) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw Error(std::string("cannot create executor socket: ") + std::strerror(errno));
  // Everything the child needs is prepared before fork: after it, only exec-safe calls.
  std::vector<std::string> args = command_.empty() ? own_command_line() : command_;
  std::string program = command_.empty() ? "/proc/self/exe" : command_[0];
  std::vector<std::string> env;
  for (char** e = environ; *e; e++) {
    if (std::strncmp(*e, "SMALLPOND_EXECUTOR_", 19) != 0) env.push_back(*e);
  }
  env.push_back(std::string(kExecutorFdVariable) + "=" + std::to_string(fds[1]));
  env.push_back(std::string(kExecutorIdVariable) + "=" + std::to_string(executor));
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t parent = ::getpid();

  pid_t pid = spawner_.spawn([&]() -> pid_t {
    pid_t child = ::fork();
    if (child == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the scheduler (see ProcessSpawner)
      if (::getppid() != parent) ::_exit(1);
      ::fcntl(fds[1], F_SETFD, 0);  // keep the executor's end across exec
      int devnull = ::open("/dev/null", O_WRONLY);
      if (devnull >= 0) ::dup2(devnull, STDOUT_FILENO);  // the program's output is the driver's
      ::execve(program.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
    return child < 0 ? -errno : child;  // errno is the spawner thread's
  });
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw Error(std::string("cannot start an executor process: ") + std::strerror(-pid));
  }
  ::close(fds[1]);
  executors_[executor].pid = pid;
  executors_[executor].channel = std::make_unique<SocketChannel>(fds[0]);
  liveness_.heard(executor);
}

void LocalProcessPool::assign(int executor, const TaskAssignment& task) {
  executors_.at(executor).oom_kills = oom_kill_count();
  send_control(executor, RunMessage{task});
}

void LocalProcessPool::send_control(int executor, const Message& message) {
  auto& e = executors_.at(executor);
  if (!e.channel) return;
  try {
    e.channel->send(message);
  } catch (const Error&) {
    // The executor died; wait() reports it as lost.
  }
}

std::optional<ExecutorEvent> LocalProcessPool::wait(double timeout_seconds) {
  // What already came is read before anyone is judged silent: the driver may not have looked
  // for a while (planning a large job, a pause between a session's jobs) while its executors
  // went on sending heartbeats.
  if (auto event = receive(0)) return event;
  int silent = liveness_.next_silent(monotonic_seconds());
  if (silent >= 0 && executors_[silent].channel) {
    ExecutorEvent event;
    event.type = ExecutorEvent::Type::Lost;
    event.executor = silent;
    reap(silent);
    event.reason = liveness_.silence("executor process");
    return event;
  }
  return receive(static_cast<int>(timeout_seconds * 1000));
}

std::optional<ExecutorEvent> LocalProcessPool::receive(int timeout_ms) {
  std::vector<pollfd> fds;
  std::vector<int> ids;
  for (size_t i = 0; i < executors_.size(); i++) {
    if (!executors_[i].channel) continue;
    fds.push_back({executors_[i].channel->fd(), POLLIN, 0});
    ids.push_back(static_cast<int>(i));
  }
  if (fds.empty()) return std::nullopt;
  int rc = ::poll(fds.data(), fds.size(), timeout_ms);
  if (rc <= 0) return std::nullopt;
  for (size_t k = 0; k < fds.size(); k++) {
    if (!fds[k].revents) continue;
    int id = ids[k];
    ExecutorEvent event;
    event.executor = id;
    auto message = executors_[id].channel->receive();
    if (!message) {
      event.type = ExecutorEvent::Type::Lost;
      event.reason = reap(id, &event.out_of_memory);
      return event;
    }
    liveness_.heard(id);
    if (auto event = event_of(id, std::move(*message))) return event;
  }
  return std::nullopt;
}

std::string LocalProcessPool::reap(int executor, bool* oom) {
  auto& e = executors_[executor];
  e.channel.reset();
  if (e.pid <= 0) return "not running";
  int status = 0;
  ::kill(e.pid, SIGKILL);  // it closed its channel: whatever it still does is of no use
  while (::waitpid(e.pid, &status, 0) < 0 && errno == EINTR) {
  }
  e.pid = -1;
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGKILL && oom && e.oom_kills >= 0 && oom_kill_count() > e.oom_kills) {
      *oom = true;
      return "executor process was killed by the kernel's out-of-memory killer (signal 9); "
             "the machine or container ran out of memory";
    }
    return std::string("executor process was killed by signal ") + std::to_string(sig) + " (" +
           strsignal(sig) + ")";
  }
  if (WIFEXITED(status))
    return "executor process exited with status " + std::to_string(WEXITSTATUS(status));
  return "executor process ended";
}

void LocalProcessPool::replace(int executor) {
  if (executors_.at(executor).pid > 0) reap(executor);
  start(executor);
}

void LocalProcessPool::abandon() {
  for (size_t i = 0; i < executors_.size(); i++) replace(static_cast<int>(i));
}

void LocalProcessPool::shutdown() {
  for (auto& e : executors_) {
    if (e.channel) {
      try {
        e.channel->send(ShutdownMessage{});
      } catch (const Error&) {
      }
    }
  }
  for (size_t i = 0; i < executors_.size(); i++) {
    auto& e = executors_[i];
    if (e.pid <= 0) continue;
    // Give an idle executor a moment to leave on its own, then make sure.
    int status = 0;
    bool done = false;
    for (int tries = 0; tries < 50 && !done; tries++) {
      done = ::waitpid(e.pid, &status, WNOHANG) == e.pid;
      if (!done) ::usleep(2000);
    }
    if (!done) {
      ::kill(e.pid, SIGKILL);
      ::waitpid(e.pid, &status, 0);
    }
    e.pid = -1;
    e.channel.reset();
  }
}

}  // namespace smallpond
