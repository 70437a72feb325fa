#pragma once
// The memory ledger: the bookkeeping of in-memory passing, apart from the scheduler's event
// loop. It knows which outputs must be files (a sink or the caller reads them), which executor
// holds each in-memory output and as which tables, how many consumers have yet to read it
// (through metadata tasks too), which tables were fetched to the scheduler or delivered as a
// copy to another executor, and, when an executor is lost, which outputs must be computed again
// (lineage). It sends nothing and changes no task state: it answers, and the scheduler acts
// (drop messages, recomputation).

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/json.h"
#include "exec/messages.h"
#include "plan/task.h"

namespace smallpond {

class MemoryLedger {
 public:
  //! Starts a run of graph; users[t]: the tasks that read task t.
  void plan(const TaskGraph& graph, const std::vector<std::vector<int>>& users);

  //! The output must be files: a sink or the caller reads it, directly or through metadata
  //! tasks.
  bool must_persist(int task) const { return persist_[task]; }
  //! The executor tasks a task reads from, directly or through metadata tasks.
  const std::vector<int>& producers(int task) const { return producers_[task]; }
  //! Consumers of the task's output that have not finished.
  int pending_consumers(int task) const { return pending_[task]; }

  //! The task's output was kept in `executor`'s memory as `tables`.
  void kept(int task, int executor, std::vector<std::string> tables);
  //! The executor holding the task's in-memory output; -1 when none does (any more).
  int owner(int task) const { return owner_[task]; }
  //! The executor holding an in-memory table (the output of a task); -1 when none does.
  int holder(const std::string& table) const;
  bool dropped(int task) const { return dropped_[task]; }

  // Moving tables to the executor that runs a consumer.
  //! Records that `table` was asked of `owner`; false when it was asked for already.
  bool request(const std::string& table, int owner);
  bool any_requested() const { return !requested_.empty(); }
  struct Exported {
    bool arrived = false;  //!< a table that was asked of this executor came (or was delivered)
    bool missing = false;  //!< the executor no longer has some table it was asked for
  };
  //! An exported reply from `executor`: fetched bytes are kept (moved out of the message),
  //! deliveries recorded. References into an object store (by_reference) are kept as
  //! reference attachments, and forgotten when that executor is lost.
  Exported on_exported(int executor, ExportedMessage& message);
  bool fetched(const std::string& table) const { return fetched_.count(table) > 0; }
  const Json& fetched_bytes(const std::string& table) const { return fetched_.at(table); }
  bool delivered_at(const std::string& table, int executor) const;
  //! A delivered copy was handed to an attempt on `executor` (and is used up).
  void used_delivery(const std::string& table, int executor);

  //! Tables to let go of, and the executors that hold them (the owner, and those sent a copy).
  struct Drop {
    int task = -1;
    std::vector<std::string> tables;
    std::set<int> holders;
  };
  //! A consumer finished: the outputs no one will read any more, to drop.
  std::vector<Drop> consumer_done(int task);
  //! Lets go of the task's output now (e.g. at the end of the run); empty when not held.
  Drop drop(int task);
  //! The executor was lost or replaced: its tables and the copies sent to it are gone. Returns
  //! the tasks whose outputs are still needed, to compute again.
  std::vector<int> lose_executor(int executor);
  //! A finished task runs again: its output, and the fetched or delivered copies of `tables`
  //! (the in-memory tables its output named), are forgotten. An executor task then reads its
  //! producers again: returns those whose in-memory output was dropped already (to recompute).
  std::vector<int> rerun(int task, bool on_executor, const std::vector<std::string>& tables);

 private:
  std::vector<bool> persist_;
  std::vector<std::vector<int>> producers_;
  std::vector<int> pending_;
  std::vector<int> owner_;
  std::vector<bool> dropped_;
  std::vector<std::vector<std::string>> tables_;     // task -> its in-memory tables
  std::unordered_map<std::string, int> table_task_;  // in-memory table -> the task it is from
  std::map<std::string, Json> fetched_;              // table -> exported bytes, or a reference
  std::map<std::string, int> referenced_;  // fetched as a reference: table -> executor it is from
  std::map<std::string, int> requested_;   // table -> executor asked for it
  std::map<std::string, std::set<int>> delivered_;  // table -> executors sent a copy directly
};

}  // namespace smallpond
