#pragma once
// What a Session and its DataFrames share: options, the job runner, node numbering.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "driver/job_runner.h"
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
  //! A registered operation (logical/operations.h) over input.
  DataFrame operation(const std::string& name, const NodePtr& input, const Json& params);
  //! Runs targets (one action at a time: a second caller waits), remembering the report.
  JobResult run(const std::vector<NodePtr>& targets,
                const std::vector<std::string>& protected_dirs = {});

  //! The functions given to create_function so far (a copy), for a SQL node being built.
  Json udfs() const;
  void set_udf(const std::string& name, const Json& udf);
  JobReport last_report() const;
  void shutdown();

  const Options options;
  JobRunner runner;  // run() and shutdown() only under run_mutex_

 private:
  mutable std::mutex run_mutex_;    // held for a whole job
  mutable std::mutex state_mutex_;  // held briefly, for udfs_ and last_report_
  Json udfs_ = Json::array();
  JobReport last_report_;

 public:
  std::atomic<int> next_id{1};
};

}  // namespace smallpond
