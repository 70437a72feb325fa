#pragma once
// Plan rewriting before planning. The rules:
// - projection pushdown: a hash partition of a file source, read only by SQL steps (over it
//   alone, or joining it with sources or other such partitions), carries only the source
//   columns those queries use (and its keys): its producers read and write no other
//   (logical/projection_pushdown.h);
// - the combiner: a GROUP BY step over a hash partition by columns among its group keys, which
//   nothing else reads, gets a partial aggregate in the partition's producers before the
//   shuffle and the final aggregate in its own query (logical/aggregate_split.h);
// - the row-local fold: a projection-and-filter SQL step that only a hash partition reads runs
//   in the partition's producers (logical/row_local.h);
// - predicate pushdown: a hash partition that only one SQL step reads keeps, in its producers,
//   only the rows that step's WHERE clause may keep (its conditions on that input alone; in an
//   outer join only on its kept side; logical/predicate_pushdown.h);
// - fusion: a single-input SQL step that reads the output of another SQL step, which nothing
//   else uses, is fused with it into one step (the child's query becomes a subquery in place of
//   {0}), so the intermediate result is never written.
// Placeholders, escaped braces and limits keep their meaning: limits are their own node kind
// and are never fused; multi-statement queries are not fused.

#include <vector>

#include "logical/node.h"

namespace smallpond {

//! The targets with fusable SQL chains fused. Returns new nodes; the inputs are not changed.
std::vector<NodePtr> optimize_plan(const std::vector<NodePtr>& targets);

}  // namespace smallpond
