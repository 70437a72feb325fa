#include "exec/job_observer.h"

#include <cstdio>

#include "exec/progress.h"
#include "exec/progress_snapshot.h"

namespace smallpond {

namespace {

class StandardObserver : public JobObserver {
 public:
  StandardObserver(const TaskGraph& graph, bool progress, const std::string& log_dir,
                   ProgressSnapshot* snapshot)
      : progress_(graph, progress), enabled_(progress), trace_(log_dir), snapshot_(snapshot) {
    if (snapshot_) snapshot_->start(graph);
  }
  void attempt_ended(const TaskTrace::Entry& entry) override { trace_.record(entry); }
  void task_finished(const Task& task) override {
    progress_.task_finished(task);
    if (snapshot_) snapshot_->task_finished(task);
  }
  void notice(const std::string& message) override {
    if (enabled_) std::fprintf(stderr, "[smallpond] %s\n", message.c_str());
  }
  void tick() override { progress_.tick(); }
  void finish() override {
    progress_.finish();
    if (snapshot_) snapshot_->finish();
  }
  void job_succeeded(const JobReport& report, const std::string& job_dir) override {
    if (!enabled_) return;
    if (report.executed_tasks() > 0)
      std::fprintf(stderr, "%s", report.to_string().c_str());
    else
      std::fprintf(stderr, "[smallpond] 0 tasks ran, %d reused from %s\n", report.reused_tasks(),
                   job_dir.c_str());
  }

 private:
  ProgressReporter progress_;
  bool enabled_;
  TaskTrace trace_;
  ProgressSnapshot* snapshot_;
};

}  // namespace

std::unique_ptr<JobObserver> standard_observer(const TaskGraph& graph, bool progress,
                                               const std::string& log_dir,
                                               ProgressSnapshot* snapshot) {
  return std::make_unique<StandardObserver>(graph, progress, log_dir, snapshot);
}

}  // namespace smallpond
