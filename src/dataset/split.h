#pragma once
// Splitting a DataSet into n parts without touching the data: by files, or by rows as
// contiguous row ranges that may cross file boundaries.

#include <cstdint>
#include <vector>

#include "dataset/dataset.h"

namespace smallpond {

//! Sizes of n contiguous chunks of `total` items: the first total % n chunks get one more.
std::vector<int64_t> split_sizes(int64_t total, int n);

//! n parts with whole files, contiguous, as even in count as possible. Empty parts keep the
//! schema (schema_file) of the input.
//! Taken by value: a caller done with its input moves it in, and its files move, not copied.
std::vector<DataSet> split_by_files(DataSet input, int n);

//! n parts with (almost) equal row counts; file_rows[i] is the row count of input.files[i]
//! (whole-file slices) or of its range.
std::vector<DataSet> split_by_rows(const DataSet& input, int n,
                                   const std::vector<int64_t>& file_rows);

}  // namespace smallpond
