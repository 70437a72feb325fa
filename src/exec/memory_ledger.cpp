#include "exec/memory_ledger.h"

#include <algorithm>

#include "plan/task_params.h"

namespace smallpond {

void MemoryLedger::plan(const TaskGraph& graph, const std::vector<std::vector<int>>& users) {
  size_t n = graph.tasks.size();
  persist_.assign(n, false);
  producers_.assign(n, {});
  pending_.assign(n, 0);
  owner_.assign(n, -1);
  dropped_.assign(n, false);
  tables_.assign(n, {});
  table_task_.clear();
  fetched_.clear();
  referenced_.clear();
  requested_.clear();
  delivered_.clear();
  for (auto& sink : graph.sinks)
    for (int t : sink.tasks) persist_[t] = true;
  for (int t : graph.outputs) persist_[t] = true;
  // A split by rows counts the rows of Parquet files: what it splits must be written as
  // Parquet (not kept in memory, not as chunk files).
  for (auto& t : graph.tasks)
    if (t.kind == TaskKind::Split && SplitParams::from_json(t.params).mode == "rows")
      persist_[t.id] = true;
  // Through metadata tasks, a sink, result or split by rows reads its producers' files too.
  for (size_t i = n; i-- > 0;) {
    for (int u : users[i])
      if (!graph.tasks[u].on_executor() && persist_[u]) persist_[i] = true;
  }
  // Executor tasks each consumer reads from, directly or through metadata tasks.
  std::vector<std::vector<int>> ancestors(n);
  for (auto& t : graph.tasks) {
    std::vector<int> found;
    for (int d : t.deps) {
      if (graph.tasks[d].on_executor())
        found.push_back(d);
      else
        found.insert(found.end(), ancestors[d].begin(), ancestors[d].end());
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    if (t.on_executor()) {
      producers_[t.id] = found;
      for (int p : found) pending_[p]++;
    } else {
      ancestors[t.id] = std::move(found);
    }
  }
}

void MemoryLedger::kept(int task, int executor, std::vector<std::string> tables) {
  owner_[task] = executor;
  dropped_[task] = false;
  for (auto& t : tables) table_task_[t] = task;
  tables_[task] = std::move(tables);
}

int MemoryLedger::holder(const std::string& table) const {
  auto it = table_task_.find(table);
  return it == table_task_.end() ? -1 : owner_[it->second];
}

bool MemoryLedger::request(const std::string& table, int owner) {
  return requested_.emplace(table, owner).second;
}

MemoryLedger::Exported MemoryLedger::on_exported(int executor, ExportedMessage& message) {
  Exported out;
  for (auto& [table, data] : message.tables) {
    auto it = requested_.find(table);
    if (it == requested_.end() || it->second != executor) continue;  // not asked for (any more)
    requested_.erase(it);
    if (message.by_reference) {
      fetched_[table] = reference_attachment(std::move(data));
      referenced_[table] = executor;
    } else {
      fetched_[table] = std::move(data);
      referenced_.erase(table);
    }
    out.arrived = true;
  }
  // Sent straight to the executor that asked (direct transfer): only the names come here.
  if (message.delivered_to >= 0) {
    for (auto& table : message.delivered) {
      auto it = requested_.find(table);
      if (it == requested_.end() || it->second != executor) continue;
      requested_.erase(it);
      delivered_[table].insert(message.delivered_to);
      out.arrived = true;
    }
  }
  out.missing = !message.missing.empty();
  return out;
}

bool MemoryLedger::delivered_at(const std::string& table, int executor) const {
  auto it = delivered_.find(table);
  return it != delivered_.end() && it->second.count(executor);
}

void MemoryLedger::used_delivery(const std::string& table, int executor) {
  auto it = delivered_.find(table);
  if (it != delivered_.end()) it->second.erase(executor);
}

std::vector<MemoryLedger::Drop> MemoryLedger::consumer_done(int task) {
  std::vector<Drop> out;
  for (int p : producers_[task])
    if (--pending_[p] == 0) {
      Drop d = drop(p);
      if (!d.tables.empty()) out.push_back(std::move(d));
    }
  return out;
}

MemoryLedger::Drop MemoryLedger::drop(int task) {
  Drop d;
  if (owner_[task] < 0 || dropped_[task]) return d;
  d.task = task;
  d.holders.insert(owner_[task]);
  for (auto& table : tables_[task]) {
    d.tables.push_back(table);
    fetched_.erase(table);
    referenced_.erase(table);
    auto it = delivered_.find(table);
    if (it != delivered_.end()) {
      d.holders.insert(it->second.begin(), it->second.end());
      delivered_.erase(it);
    }
  }
  dropped_[task] = true;
  return d;
}

std::vector<int> MemoryLedger::lose_executor(int executor) {
  for (auto it = requested_.begin(); it != requested_.end();)
    it = it->second == executor ? requested_.erase(it) : std::next(it);
  for (auto& [table, holders] : delivered_) holders.erase(executor);  // its copies are gone
  // References into the object store to what it put there are dangling now.
  for (auto it = referenced_.begin(); it != referenced_.end();) {
    if (it->second != executor) {
      ++it;
      continue;
    }
    fetched_.erase(it->first);
    it = referenced_.erase(it);
  }
  std::vector<int> recompute;
  for (size_t p = 0; p < owner_.size(); p++) {
    if (owner_[p] != executor) continue;
    bool needed = !dropped_[p] && pending_[p] > 0;
    owner_[p] = -1;
    dropped_[p] = true;
    if (needed) recompute.push_back(static_cast<int>(p));
  }
  return recompute;
}

std::vector<int> MemoryLedger::rerun(int task, bool on_executor,
                                     const std::vector<std::string>& tables) {
  for (auto& table : tables) {
    fetched_.erase(table);
    referenced_.erase(table);
    delivered_.erase(table);
  }
  owner_[task] = -1;
  for (auto& t : tables_[task]) table_task_.erase(t);
  tables_[task].clear();
  std::vector<int> recompute;
  if (!on_executor) return recompute;
  for (int q : producers_[task])  // it reads its producers again
    if (pending_[q]++ == 0 && dropped_[q] && !tables_[q].empty()) recompute.push_back(q);
  return recompute;
}

}  // namespace smallpond
