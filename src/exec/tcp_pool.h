#pragma once
// Executors on other machines, reached over TCP: the driver listens on an address and executor
// nodes (`smallpond relay HOST:PORT`, or an actor a cluster manager placed) connect to it, each
// one executor, serving tasks through the generic executor relay (exec/executor_relay.h) in
// a local executor process of its own. A node that is lost is retired; a node that connects
// later (restarted by its cluster manager) takes a retired executor's place.

#include <memory>
#include <string>

#include "exec/executor_pool.h"
#include "smallpond/object_store.h"
#include "smallpond/task_observer.h"

namespace smallpond {

//! Listens on address ("HOST:PORT") and waits up to connect_timeout seconds for `executors`
//! nodes to connect (InvalidInputError saying how many came, otherwise).
std::unique_ptr<ExecutorPool> make_tcp_pool(const std::string& address, int executors,
                                            double heartbeat_timeout, double connect_timeout);

//! An executor node: connects to the driver at address and serves its tasks until it says
//! stop or is gone; the tasks run in a local executor process started with `command` (empty:
//! a copy of this program). Returns normally when told to stop.
//! object_store and task_observer (may be null): see executor_relay.h.
void run_tcp_executor_node(const std::string& address, const std::vector<std::string>& command,
                           double connect_timeout, const ObjectStore* object_store = nullptr,
                           const TaskObserver* task_observer = nullptr);

}  // namespace smallpond
