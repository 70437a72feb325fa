#pragma once
// What a range sample (plan/task_params.h RangeSample) reads of its input.
//
// Its keys are chosen as pairs (key, j) so that the sample is the same whatever order the rows
// come in (engine/range_partition_internal.h): an upstream task recomputed after a failure may
// write its rows in another order. A source's Parquet files are not recomputed, and the task
// checks that they did not change (exec/input_check.h): there a row's place in its file is
// fixed, so a sample may read only the rows whose place hashes into a fixed share, and still be
// the same every time. Such a share of kRowsPerSample rows for each sample kept is still a
// sample of rows, independent of their keys, and costs a fraction of reading them all.

#include <cstdint>
#include <string>

#include "dataset/dataset.h"
#include "engine/engine.h"

namespace smallpond {

//! Rows a sample reads per sample it keeps, when it reads a share of a source.
constexpr int64_t kRowsPerSample = 16;

struct RangeSampleInput {
  std::string sql;          //!< the rows to sample, with the input's columns
  int64_t input_rows = -1;  //!< how many rows they stand for; -1: themselves (all were read)
};

//! The rows a sample of `samples` keys reads of `input` (not empty).
RangeSampleInput range_sample_input(EngineConnection& con, const DataSet& input, int64_t samples);

}  // namespace smallpond
