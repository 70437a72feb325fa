#pragma once
//! Script steps: arbitrary C++ code run once per partition on the partition's input files,
//! writing whatever it likes into an output directory (smallpond's PythonScriptNode).

#include <cstdint>
#include <string>
#include <vector>

#include "smallpond/table.h"

namespace smallpond {

//! What a script gets. The Parquet files it leaves in output_dir() (at any depth) become the
//! step's output, in path order; other files are published along with them.
class ScriptContext {
 public:
  virtual ~ScriptContext() = default;
  //! The Parquet files of input i's partition (a partition that is part of a file, or held in
  //! memory, is written to a file first so that files are always exact).
  virtual const std::vector<std::string>& input_files(size_t input) const = 0;
  virtual size_t num_inputs() const = 0;
  //! An empty directory of this attempt; it is published when the script returns true.
  virtual const std::string& output_dir() const = 0;
  //! This task's index in a partition dimension ("__data_partition__" by default), -1 if the
  //! task is not partitioned in it.
  virtual int partition(const std::string& dimension = "__data_partition__") const = 0;
  //! Runs SQL in the executor's DuckDB (e.g. COPY (...) TO '<output_dir>/x.parquet') and
  //! returns its result.
  virtual Table query(const std::string& sql) = 0;
  //! Writes rows as a Parquet file (types from table.column_types, else from the values).
  virtual int64_t write_parquet(const Table& table, const std::string& path) = 0;
};

//! A script: true on success; false (or an exception) fails the attempt, which is retried.
//! A plain function or a lambda without captures, as for the other functions in plans.
using ScriptFunction = bool (*)(ScriptContext& context);

}  // namespace smallpond
