#pragma once
// What a Session and its DataFrames share: options, the job runner, node numbering.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "exec/job_runner.h"
#include "logical/node.h"
#include "smallpond/dataframe.h"
#include "smallpond/report.h"

namespace smallpond {

//! "link_or_copy", "copy", "link", "manifest": a sink's type as plans and manifests name it.
const char* sink_type_name(SinkType type);

struct SessionState : std::enable_shared_from_this<SessionState> {
  explicit SessionState(const Options& resolved) : options(resolved), runner(resolved) {}

  //! A new node with a fresh id; named "<base>_<id>" unless a name is given.
  std::shared_ptr<Node> new_node(NodeKind kind, const std::string& base);
  //! A SqlEngine node over frames (which must belong to this session).
  DataFrame sql_node(const std::string& base, const std::string& query,
                     const std::vector<DataFrame>& inputs);
  //! Runs targets, remembering the report.
  JobResult run(const std::vector<NodePtr>& targets);

  Options options;
  JobRunner runner;
  Json udfs = Json::array();  //!< functions given to create_function, for SQL nodes built later
  JobReport last_report;
  std::atomic<int> next_id{1};
  std::mutex mutex;  // one action at a time
};

}  // namespace smallpond
