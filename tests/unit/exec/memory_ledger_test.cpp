// The memory ledger on its own: which outputs must be files, when tables are dropped and by
// whom, and what is computed again when an executor is lost (lineage).
#include "exec/memory_ledger.h"

#include <gtest/gtest.h>

namespace smallpond {
namespace {

// src (metadata) -> a0, a1 (executor) -> pick (metadata, both) -> b (executor, sink reads it)
//                                    a1 -> c (executor, the caller's result)
struct Fixture {
  TaskGraph graph;
  std::vector<std::vector<int>> users;
  MemoryLedger ledger;
  enum { kSrc, kA0, kA1, kPick, kB, kC };
  Fixture() {
    auto add = [&](TaskKind kind, std::vector<int> deps) {
      Task t;
      t.id = static_cast<int>(graph.tasks.size());
      t.kind = kind;
      t.step = "s" + std::to_string(t.id);
      t.deps = std::move(deps);
      graph.tasks.push_back(t);
    };
    add(TaskKind::Source, {});
    add(TaskKind::Sql, {kSrc});
    add(TaskKind::Sql, {kSrc});
    add(TaskKind::Pick, {kA0, kA1});
    add(TaskKind::Sql, {kPick});
    add(TaskKind::Sql, {kA1});
    graph.sinks.push_back({"sink", "/out", "link_or_copy", {kB}, false});
    graph.outputs = {kC};
    users.assign(graph.tasks.size(), {});
    for (auto& t : graph.tasks)
      for (int d : t.deps) users[d].push_back(t.id);
    ledger.plan(graph, users);
  }
};

TEST(MemoryLedger, FilesForSinksAndResultsAndProducersThroughMetadataTasks) {
  Fixture f;
  EXPECT_TRUE(f.ledger.must_persist(Fixture::kB));
  EXPECT_TRUE(f.ledger.must_persist(Fixture::kC));
  EXPECT_FALSE(f.ledger.must_persist(Fixture::kA0));
  EXPECT_EQ(f.ledger.producers(Fixture::kB), (std::vector<int>{Fixture::kA0, Fixture::kA1}));
  EXPECT_EQ(f.ledger.pending_consumers(Fixture::kA0), 1);
  EXPECT_EQ(f.ledger.pending_consumers(Fixture::kA1), 2);  // b (through pick) and c
}

TEST(MemoryLedger, WhatASplitByRowsReadsIsFiles) {
  // a (executor) -> pick -> split by rows -> b; c (executor) -> split by files -> d.
  TaskGraph graph;
  auto add = [&](TaskKind kind, std::vector<int> deps, Json params = Json::object()) {
    Task t;
    t.id = static_cast<int>(graph.tasks.size());
    t.kind = kind;
    t.step = "s" + std::to_string(t.id);
    t.deps = std::move(deps);
    t.params = std::move(params);
    graph.tasks.push_back(t);
    return t.id;
  };
  int a = add(TaskKind::Sql, {});
  int pick = add(TaskKind::Pick, {a});
  int rows = add(TaskKind::Split, {pick}, {{"n", 3}, {"mode", "rows"}});
  add(TaskKind::Sql, {rows});
  int c = add(TaskKind::Sql, {});
  int files = add(TaskKind::Split, {c}, {{"n", 3}, {"mode", "files"}});
  int d = add(TaskKind::Sql, {files});
  std::vector<std::vector<int>> users(graph.tasks.size());
  for (auto& t : graph.tasks)
    for (int dep : t.deps) users[dep].push_back(t.id);
  MemoryLedger ledger;
  ledger.plan(graph, users);
  EXPECT_TRUE(ledger.must_persist(a));
  EXPECT_FALSE(ledger.must_persist(c));
  EXPECT_FALSE(ledger.must_persist(d));
}

TEST(MemoryLedger, ATableIsDroppedWhenItsLastConsumerIsDone) {
  Fixture f;
  f.ledger.kept(Fixture::kA0, 0, {"t0"});
  f.ledger.kept(Fixture::kA1, 1, {"t1"});
  auto drops = f.ledger.consumer_done(Fixture::kB);
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].task, Fixture::kA0);
  EXPECT_EQ(drops[0].tables, (std::vector<std::string>{"t0"}));
  EXPECT_EQ(drops[0].holders, (std::set<int>{0}));
  EXPECT_TRUE(f.ledger.dropped(Fixture::kA0));
  EXPECT_FALSE(f.ledger.dropped(Fixture::kA1));  // c has not read it yet
  drops = f.ledger.consumer_done(Fixture::kC);
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].task, Fixture::kA1);
  EXPECT_TRUE(f.ledger.drop(Fixture::kA1).tables.empty()) << "dropped twice";
}

TEST(MemoryLedger, FetchesAndDeliveriesAreRecordedOnlyWhenAskedOfThatExecutor) {
  Fixture f;
  f.ledger.kept(Fixture::kA1, 1, {"t1"});
  EXPECT_TRUE(f.ledger.request("t1", 1));
  EXPECT_FALSE(f.ledger.request("t1", 1)) << "asked twice";
  ExportedMessage from_other;
  from_other.tables["t1"] = binary_value("bytes");
  EXPECT_FALSE(f.ledger.on_exported(0, from_other).arrived);
  EXPECT_FALSE(f.ledger.fetched("t1"));
  ExportedMessage delivered;
  delivered.delivered_to = 2;
  delivered.delivered = {"t1"};
  EXPECT_TRUE(f.ledger.on_exported(1, delivered).arrived);
  EXPECT_FALSE(f.ledger.any_requested());
  EXPECT_TRUE(f.ledger.delivered_at("t1", 2));
  // Dropping tells the owner and the executor that got a copy.
  f.ledger.consumer_done(Fixture::kB);
  auto drops = f.ledger.consumer_done(Fixture::kC);
  ASSERT_EQ(drops.size(), 1u);
  EXPECT_EQ(drops[0].holders, (std::set<int>{1, 2}));
  EXPECT_FALSE(f.ledger.delivered_at("t1", 2));
  ExportedMessage missing;
  missing.missing = {"t9"};
  EXPECT_TRUE(f.ledger.on_exported(1, missing).missing);
}

TEST(MemoryLedger, ReferencesIntoAnObjectStoreDieWithTheExecutorThatPutThemThere) {
  Fixture f;
  f.ledger.kept(Fixture::kA0, 0, {"t0"});
  f.ledger.kept(Fixture::kA1, 1, {"t1"});
  ASSERT_TRUE(f.ledger.request("t0", 0));
  ASSERT_TRUE(f.ledger.request("t1", 1));
  ExportedMessage by_reference;
  by_reference.by_reference = true;
  by_reference.tables["t0"] = binary_value("actor-0/t0");
  EXPECT_TRUE(f.ledger.on_exported(0, by_reference).arrived);
  ExportedMessage bytes;
  bytes.tables["t1"] = binary_value("bytes of t1");
  EXPECT_TRUE(f.ledger.on_exported(1, bytes).arrived);
  // A reference is attached as one, for the relay to resolve; bytes as bytes.
  ASSERT_TRUE(is_reference_attachment(f.ledger.fetched_bytes("t0")));
  EXPECT_EQ(attachment_reference(f.ledger.fetched_bytes("t0")), "actor-0/t0");
  EXPECT_EQ(binary_bytes(f.ledger.fetched_bytes("t1")), "bytes of t1");
  // Losing executor 1 leaves the reference from executor 0 alone; the bytes fetched from
  // executor 1 are the scheduler's own copy and outlive it.
  f.ledger.lose_executor(1);
  EXPECT_TRUE(f.ledger.fetched("t0"));
  EXPECT_TRUE(f.ledger.fetched("t1"));
  // Losing executor 0 makes its reference dangle: forgotten, and its output computed again.
  EXPECT_EQ(f.ledger.lose_executor(0), (std::vector<int>{Fixture::kA0}));
  EXPECT_FALSE(f.ledger.fetched("t0"));
}

TEST(MemoryLedger, ALostExecutorsStillNeededOutputsAreComputedAgain) {
  Fixture f;
  f.ledger.kept(Fixture::kA0, 0, {"t0"});
  f.ledger.kept(Fixture::kA1, 1, {"t1"});
  f.ledger.request("t0", 0);
  EXPECT_EQ(f.ledger.lose_executor(0), (std::vector<int>{Fixture::kA0}));
  EXPECT_FALSE(f.ledger.any_requested()) << "a request to the lost executor stays open";
  EXPECT_EQ(f.ledger.owner(Fixture::kA0), -1);
  EXPECT_EQ(f.ledger.owner(Fixture::kA1), 1);
  // Once every consumer read it, losing its owner costs nothing.
  f.ledger.consumer_done(Fixture::kB);
  f.ledger.consumer_done(Fixture::kC);
  EXPECT_TRUE(f.ledger.lose_executor(1).empty());
}

TEST(MemoryLedger, ATablesHolderIsTheExecutorThatKeptItsTaskUntilThatIsLost) {
  Fixture f;
  EXPECT_EQ(f.ledger.holder("t0"), -1);
  f.ledger.kept(Fixture::kA0, 0, {"t0", "t0b"});
  f.ledger.kept(Fixture::kA1, 1, {"t1"});
  EXPECT_EQ(f.ledger.holder("t0b"), 0);
  EXPECT_EQ(f.ledger.holder("t1"), 1);
  f.ledger.lose_executor(1);
  EXPECT_EQ(f.ledger.holder("t1"), -1);
  EXPECT_EQ(f.ledger.holder("t0"), 0);
  // Run again, the task's old tables are no one's; its new attempt keeps new ones.
  f.ledger.rerun(Fixture::kA0, true, {"t0", "t0b"});
  EXPECT_EQ(f.ledger.holder("t0"), -1);
  f.ledger.kept(Fixture::kA0, 1, {"t0-again"});
  EXPECT_EQ(f.ledger.holder("t0-again"), 1);
}

TEST(MemoryLedger, AConsumerRunAgainRecomputesTheProducersItsFirstRunReleased) {
  Fixture f;
  f.ledger.kept(Fixture::kA0, 0, {"t0"});
  f.ledger.kept(Fixture::kA1, 1, {"t1"});
  f.ledger.consumer_done(Fixture::kB);  // a0 dropped; a1 kept for c
  EXPECT_TRUE(f.ledger.dropped(Fixture::kA0));
  // b runs again (its output, in memory on a lost executor, was needed): it reads a0 and a1
  // again; a0 is gone and must be computed again, a1 is still there.
  EXPECT_EQ(f.ledger.rerun(Fixture::kB, true, {}), (std::vector<int>{Fixture::kA0}));
  EXPECT_EQ(f.ledger.pending_consumers(Fixture::kA0), 1);
  EXPECT_EQ(f.ledger.pending_consumers(Fixture::kA1), 2);
  // A metadata task run again reads nothing itself.
  EXPECT_TRUE(f.ledger.rerun(Fixture::kPick, false, {"t0"}).empty());
}

}  // namespace
}  // namespace smallpond
