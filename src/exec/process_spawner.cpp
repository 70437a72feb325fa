#include "exec/process_spawner.h"

namespace smallpond {

ProcessSpawner::ProcessSpawner() : thread_([this] { loop(); }) {}

ProcessSpawner::~ProcessSpawner() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  thread_.join();
}

pid_t ProcessSpawner::spawn(std::function<pid_t()> fork_and_exec) {
  std::packaged_task<pid_t()> request(std::move(fork_and_exec));
  std::future<pid_t> result = request.get_future();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(std::move(request));
  }
  ready_.notify_all();
  return result.get();
}

void ProcessSpawner::loop() {
  while (true) {
    std::packaged_task<pid_t()> request;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !requests_.empty(); });
      if (requests_.empty()) return;  // stopping, nothing left to do
      request = std::move(requests_.front());
      requests_.pop_front();
    }
    request();
  }
}

}  // namespace smallpond
