#pragma once
// The planner: logical nodes -> a TaskGraph of partition tasks.
//
//  DataSource            -> 1 Source task (files are resolved now; their path, size and
//                           modification time enter the task key)
//  EvenPartition(n)      -> Split(n) over all input tasks, then n Pick tasks
//  HashPartition(n)      -> P producers (HashProduce) over groups of input tasks (a single
//                           input task is first split into P parts), then n Pick tasks that
//                           each gather bucket i of every producer
//  RangePartition(n)     -> P RangeSample tasks over the producer groups, one Sql task
//                           choosing n - 1 boundaries from the samples, P RangeProduce tasks (a
//                           group and the boundaries each; the ranges as chunk files), then n
//                           Pick tasks
//  SqlEngine             -> one Sql task per partition; inputs aligned by partition index, an
//                           input with one partition is broadcast
//  DataSink              -> a SinkPlan over the input's tasks

#include <vector>

#include "logical/node.h"
#include "plan/task.h"

namespace smallpond {

struct PlanOptions {
  int shuffle_producers = 2;  //!< producers of a hash partition
};

//! Plans everything `targets` needs. The last target's tasks become graph.outputs.
//! Throws InvalidInputError for user errors (no input files, misaligned partitions), naming
//! the step.
TaskGraph plan_tasks(const std::vector<NodePtr>& targets, const PlanOptions& options);

}  // namespace smallpond
