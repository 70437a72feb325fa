#include "driver/ray_launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

#include "common/system.h"
#include "smallpond/error.h"

namespace smallpond {

namespace {

constexpr double kStartSeconds = 180;  // connecting to Ray and placing the actors

}  // namespace

RayLauncher::RayLauncher(const std::string& ray_address, int executors,
                         const std::string& job_name) {
  const char* python_env = std::getenv("SMALLPOND_PYTHON");
  std::string python = python_env && *python_env ? python_env : "python3";
  std::vector<std::string> args = {
      python,      "-m",          "smallpond_cpp._ray_launcher", "--address",
      ray_address, "--executors", std::to_string(executors),     "--job",
      job_name};
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0)
    throw Error(std::string("cannot start the Ray launcher: ") + std::strerror(errno));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  to_launcher_ = in[1];
  if (pid_ < 0) {
    ::close(out[0]);
    throw Error(std::string("cannot start the Ray launcher: ") + std::strerror(errno));
  }
  // Its one line: "listen HOST:PORT executors N", or "error MESSAGE".
  std::string line;
  double deadline = monotonic_seconds() + kStartSeconds;
  char c;
  while (monotonic_seconds() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    if (::read(out[0], &c, 1) != 1 || c == '\n') break;
    line += c;
  }
  ::close(out[0]);
  std::istringstream words(line);
  std::string kind, address, executors_word;
  words >> kind >> address >> executors_word >> executors_;
  if (kind != "listen" || executors_ <= 0) {
    stop();
    std::string why = line.rfind("error ", 0) == 0 ? line.substr(6)
                      : line.empty() ? "it gave no answer (is the smallpond_cpp Python package "
                                       "importable by " +
                                           python +
                                           "? SMALLPOND_PYTHON names "
                                           "another interpreter)"
                                     : "it answered '" + line + "'";
    throw InvalidInputError("cannot start the executors on the Ray cluster at " + ray_address +
                            ": " + why);
  }
  listen_address_ = address;
}

RayLauncher::~RayLauncher() { stop(); }

void RayLauncher::stop() {
  if (to_launcher_ >= 0) ::close(to_launcher_);  // it removes the actors and exits
  to_launcher_ = -1;
  if (pid_ > 0) {
    int status = 0;
    double deadline = monotonic_seconds() + 30;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (monotonic_seconds() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      ::usleep(20000);
    }
  }
  pid_ = -1;
}

}  // namespace smallpond
