#pragma once
// Executors on a Ray cluster for a driver that is not Python (Options::ray_address): a child
// process, `python -m smallpond_cpp._ray_launcher`, starts the executor actors through Ray's
// Python API and says where the driver must listen for them (they are executor nodes over TCP,
// exec/tcp_pool.h); it removes them when this object goes (its standard input closes).

#include <sys/types.h>

#include <string>

namespace smallpond {

class RayLauncher {
 public:
  //! Starts the launcher (the interpreter from SMALLPOND_PYTHON, or python3) and waits for its
  //! answer; throws InvalidInputError with its reason when it cannot start the actors.
  RayLauncher(const std::string& ray_address, int executors, const std::string& job_name);
  ~RayLauncher();
  RayLauncher(const RayLauncher&) = delete;
  RayLauncher& operator=(const RayLauncher&) = delete;

  const std::string& listen_address() const { return listen_address_; }
  int executors() const { return executors_; }

 private:
  void stop();
  pid_t pid_ = -1;
  int to_launcher_ = -1;  // its standard input: closed to end it
  std::string listen_address_;
  int executors_ = 0;
};

}  // namespace smallpond
