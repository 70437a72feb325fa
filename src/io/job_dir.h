#pragma once
// The job directory: everything a job keeps between runs.
//
//   <root>/data/<task>-<key>/          published task outputs, each with _manifest.json;
//                                       named by key, not step, so a renamed step resumes
//   <root>/staging/                     attempts in progress (emptied when a run starts)
//   <root>/tmp/                         spill space of the tasks
//   <root>/log/tasks-<time>-....csv    one per run: each task attempt, where it ran, how it
//                                       ended and whether its output went to a file or memory
//   <root>/checkpoints/<task>-<key>/    progress of streaming tasks not yet finished: kept
//                                       across attempts and runs, removed when published
//   <root>/.lock                        held while a run uses the directory
//
// A task output is written under staging/, then renamed into data/ (atomic publish): a
// directory in data/ is always complete.

#include <string>

namespace smallpond {

class JobDir {
 public:
  //! Creates the layout and locks the directory; throws InvalidInputError when another
  //! process holds it.
  explicit JobDir(const std::string& root);
  ~JobDir();
  JobDir(const JobDir&) = delete;
  JobDir& operator=(const JobDir&) = delete;

  const std::string& root() const { return root_; }
  std::string task_dir(const std::string& task_name, const std::string& key) const;
  std::string staging_dir(const std::string& task_name, const std::string& key, int attempt) const;
  std::string checkpoint_dir(const std::string& task_name, const std::string& key) const;
  std::string tmp_dir() const { return root_ + "/tmp"; }
  //! Removes staging/ and tmp/ contents (leftovers of a killed run).
  void clear_scratch() const;

 private:
  std::string root_;
  int lock_fd_ = -1;
};

}  // namespace smallpond
