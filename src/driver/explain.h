#pragma once
// EXPLAIN for smallpond plans: what a job would do, without running it. The logical plan after
// optimisation (a tree, the target on top, fused steps named), then the tasks of each step
// (kinds and counts) and how many of its executor tasks the job directory already holds (they
// would be reused, not run). Planning resolves the sources (their files are listed and
// fingerprinted), so the counts are those of a real run; nothing is written.

#include <string>
#include <vector>

#include "logical/node.h"
#include "smallpond/options.h"

namespace smallpond {

//! options must be resolved (see resolve_options).
std::string explain_plan(const std::vector<NodePtr>& targets, const Options& options);

}  // namespace smallpond
