#pragma once
//! Row: one record given to (and returned by) C++ functions in a plan (filter, map, flat_map).

#include <string>
#include <utility>
#include <vector>

#include "smallpond/table.h"

namespace smallpond {

class Row {
 public:
  Row() = default;
  //! The value of a column; throws InvalidInputError naming the column when there is none.
  const Value& operator[](const std::string& column) const;
  //! The value of a column, added (as NULL) when missing: `out["total"] = Value(int64_t(3));`.
  Value& operator[](const std::string& column);
  bool has(const std::string& column) const;
  size_t size() const { return cells_.size(); }
  //! Columns in order.
  const std::vector<std::pair<std::string, Value>>& cells() const { return cells_; }

 private:
  std::vector<std::pair<std::string, Value>> cells_;
};

//! Functions usable in plans. They run in executor processes (copies of the program), so they
//! are plain functions (or lambdas without captures), found there by their place in the
//! program's code: the same binary must run everywhere.
using FilterFunction = bool (*)(const Row&);
using MapFunction = Row (*)(const Row&);
using FlatMapFunction = std::vector<Row> (*)(const Row&);
//! The same with parameters: values the program chose (from its command line, a config file,
//! ...) that travel with the tasks, given as `params` to every call, e.g.
//!   df.map([](const Row& r, const Row& p) { ... r["price"].as_double() * p["rate"].as_double() },
//!          params)
//! They are part of the steps' task keys: other values, other outputs. (Variables of the
//! program do not reach the executors: they are other processes, which run the program only up
//! to init().)
using FilterWithParams = bool (*)(const Row& row, const Row& params);
using MapWithParams = Row (*)(const Row& row, const Row& params);
using FlatMapWithParams = std::vector<Row> (*)(const Row& row, const Row& params);
//! A user-defined partitioning: the partition index of a row, in [0, npartitions).
using PartitionFunction = int64_t (*)(const Row&);
//! A scalar SQL function: called once per row with the argument values.
using ScalarFunction = Value (*)(const std::vector<Value>& args);

}  // namespace smallpond
