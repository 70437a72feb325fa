#include "exec/in_process_pool.h"

#include <chrono>

#include "exec/liveness.h"

namespace smallpond {

namespace {

// The executor's end: assignments come from `inbox`; results go to the pool as events.
class QueueChannel : public MessageChannel {
 public:
  QueueChannel(std::function<void(Message)> deliver) : deliver_(std::move(deliver)) {}

  void push(Message message) {
    std::lock_guard<std::mutex> lock(mutex_);
    inbox_.push_back(std::move(message));
    ready_.notify_one();
  }
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    ready_.notify_one();
  }
  void send(const Message& message) override { deliver_(message); }
  std::optional<Message> receive() override {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.wait(lock, [&] { return closed_ || !inbox_.empty(); });
    if (inbox_.empty()) return std::nullopt;
    Message m = std::move(inbox_.front());
    inbox_.pop_front();
    return m;
  }

 private:
  std::function<void(Message)> deliver_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Message> inbox_;
  bool closed_ = false;
};

}  // namespace

struct InProcessPool::Executor {
  std::unique_ptr<QueueChannel> channel;
  std::thread thread;
};

InProcessPool::InProcessPool(int executors, RunnerFactory factory)
    : factory_(std::move(factory)), running_(executors) {
  for (int i = 0; i < executors; i++) {
    executors_.push_back(std::make_unique<Executor>());
    start(i);
  }
}

InProcessPool::~InProcessPool() { shutdown(); }

void InProcessPool::post(ExecutorEvent event) {
  std::lock_guard<std::mutex> lock(mutex_);
  events_.push_back(std::move(event));
  changed_.notify_all();
}

void InProcessPool::start(int executor) {
  auto& e = *executors_[executor];
  e.channel = std::make_unique<QueueChannel>([this, executor](Message message) {
    auto decoded = event_of(executor, std::move(message));
    if (!decoded) return;
    ExecutorEvent event = std::move(*decoded);
    if (event.type == ExecutorEvent::Type::Result) {
      std::tuple<int64_t, int, int> attempt{event.outcome.job, event.outcome.task_id,
                                            event.outcome.attempt};
      std::lock_guard<std::mutex> lock(mutex_);
      running_[executor].erase(attempt);
      if (cancelled_.erase(attempt)) return;  // cancelled: its result never arrives
      events_.push_back(std::move(event));
      changed_.notify_all();
      return;
    }
    post(std::move(event));
  });
  QueueChannel* channel = e.channel.get();
  std::shared_ptr<TaskRunner> runner = factory_(executor);
  e.thread = std::thread([this, executor, channel, runner] {
    try {
      serve_executor(*channel, *runner);
    } catch (const SimulatedCrash& crash) {
      ExecutorEvent event;
      event.type = ExecutorEvent::Type::Lost;
      event.executor = executor;
      event.reason = crash.reason;
      event.out_of_memory = crash.out_of_memory;
      post(std::move(event));
    }
  });
}

void InProcessPool::assign(int executor, const TaskAssignment& task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_.at(executor).insert({task.job, task.task_id, task.attempt});
  }
  executors_.at(executor)->channel->push(RunMessage{task});
}

void InProcessPool::cancel(int executor) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& attempt : running_.at(executor)) cancelled_.insert(attempt);
  running_.at(executor).clear();
}

void InProcessPool::abandon() {
  for (int e = 0; e < size(); e++) cancel(e);
}

void InProcessPool::send_control(int executor, const Message& message) {
  executors_.at(executor)->channel->push(message);
}

std::optional<ExecutorEvent> InProcessPool::wait(double timeout_seconds) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_for(lock, std::chrono::duration<double>(timeout_seconds),
                    [&] { return !events_.empty(); });
  if (events_.empty()) return std::nullopt;
  ExecutorEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

void InProcessPool::replace(int executor) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    running_.at(executor).clear();  // a lost attempt's result never comes
  }
  auto& e = *executors_.at(executor);
  if (e.thread.joinable()) {
    e.channel->close();
    e.thread.join();
  }
  start(executor);
}

void InProcessPool::shutdown() {
  for (auto& e : executors_) {
    if (e->channel) e->channel->close();
  }
  for (auto& e : executors_) {
    if (e->thread.joinable()) e->thread.join();
  }
}

}  // namespace smallpond
