#pragma once
//! ObjectStore: how an executor node hands in-memory outputs to other nodes through a
//! cluster's object store (Ray's) instead of through the driver.

#include <functional>
#include <string>

namespace smallpond {

//! A cluster's object store (Ray's), through which executor nodes hand in-memory outputs to
//! each other by reference instead of through the driver. put() keeps a table's bytes and
//! returns a short reference to them that get() turns back into the bytes on any node
//! (throwing when they are lost: the node that put them is gone); release() lets go of a
//! table put here (no consumer needs it any more). The functions are called from the node's
//! relay thread.
struct ObjectStore {
  std::function<std::string(const std::string& table, const std::string& bytes)> put;
  std::function<std::string(const std::string& reference)> get;
  std::function<void(const std::string& table)> release;
};

}  // namespace smallpond
