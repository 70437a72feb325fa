#pragma once
// The job directory: everything a job keeps between runs.
//
//   <root>/data/<step>.<task>-<key>/   published task outputs, each with _manifest.json; found
//                                       by key (the name's end), so a renamed step resumes in
//                                       the directory its old name made
//   <root>/staging/                     attempts in progress (emptied when a run starts)
//   <root>/tmp/executor-<pid>-<random>/ spill space of one executor process (DuckDB keeps one
//                                       spill directory per database); the process holds an
//                                       flock on .alive inside; removed once it is gone
//   <root>/log/tasks-<time>-....csv    one per run: each task attempt, where it ran, how it
//                                       ended and whether its output went to a file or memory
//   <root>/checkpoints/<task>-<key>/    progress of streaming tasks not yet finished: kept
//                                       across attempts and runs, removed when published
//   <root>/.lock                        held while a run uses the directory
//   <root>/.smallpond-job               marks the directory as a job directory: nothing is
//                                       removed from a directory without it, and a directory
//                                       that has other content is refused
//
// A task output is written under staging/, then renamed into data/ (atomic publish): a
// directory in data/ is always complete.

#include <map>
#include <string>

namespace smallpond {

class JobDir {
 public:
  //! Creates the layout and locks the directory; throws InvalidInputError when another
  //! process holds it, or when root is not a job directory (see prepare).
  explicit JobDir(const std::string& root);
  //! Makes root a job directory: creates it, or accepts it when it is empty or already one
  //! (marker file, or the layout of an older version), and writes the marker. Throws
  //! InvalidInputError naming what is there otherwise; nothing is removed or created then.
  static void prepare(const std::string& root);
  ~JobDir();
  JobDir(const JobDir&) = delete;
  JobDir& operator=(const JobDir&) = delete;

  const std::string& root() const { return root_; }
  //! Where the output of the task with this key is: the directory in data/ whose name ends in
  //! "-<key>" when there is one (a step renamed since keeps its outputs), else a new name
  //! data/<step>.<task_name>-<key>. Knows data/ as it was when the JobDir was made.
  std::string task_dir(const std::string& step, const std::string& task_name,
                       const std::string& key) const;
  //! The directories in root/data by the key their name ends in (read only: no lock, nothing
  //! created; empty when there is no such directory).
  static std::map<std::string, std::string> outputs_by_key(const std::string& root);
  std::string staging_dir(const std::string& task_name, const std::string& key, int attempt) const;
  std::string checkpoint_dir(const std::string& task_name, const std::string& key) const;
  std::string tmp_dir() const { return root_ + "/tmp"; }
  //! Removes staging/ contents and the spill directories of processes that are gone
  //! (leftovers of a killed run); live executors keep theirs.
  void clear_scratch() const;
  //! The spill directory of this process under tmp_root (made, and locked for the life of
  //! the process). Removes those of executors that have ended.
  static std::string executor_tmp_dir(const std::string& tmp_root);

 private:
  std::string root_;
  int lock_fd_ = -1;
  std::map<std::string, std::string> dirs_by_key_;  // data/ entries by the key their name ends in
};

}  // namespace smallpond
