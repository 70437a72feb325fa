#pragma once
//! TaskObserver: lets a cluster's own tools (Ray's task list and dashboard) show the tasks an
//! executor node runs, by their steps' names.

#include <functional>
#include <string>

namespace smallpond {

//! Told when an executor node starts an attempt of a task and when that attempt ends, so a
//! cluster manager can show it as a task of its own. `label` is "step[partition]"; attempt
//! counts from 1. finished() gets "" when the attempt succeeded, else what went wrong; every
//! started() is followed by exactly one finished(). Called from the node's relay thread; they
//! must not block (the node serves nothing meanwhile), and what they throw is only logged.
struct TaskObserver {
  std::function<void(const std::string& label, int attempt)> started;
  std::function<void(const std::string& error)> finished;
};

}  // namespace smallpond
