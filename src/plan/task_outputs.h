#pragma once
// A task's output data sets, as the scheduler keeps them and hands them on.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "dataset/dataset.h"

namespace smallpond {

//! A task's output data sets, never changed once made: shared, not copied. A source's may name
//! a million files, and a pick of one part of a split is that part itself (`one(i)`), so a
//! repartition of a source holds its file list twice (the source's, the split's), not three
//! times. A default-made one is "not known" (not computed, or lost): `known()` is false and it
//! holds no data sets.
class TaskOutputs {
 public:
  TaskOutputs() = default;
  explicit TaskOutputs(std::vector<DataSet> data_sets)
      : store_(std::make_shared<const std::vector<DataSet>>(std::move(data_sets))),
        count_(static_cast<uint32_t>(store_->size())) {
    if (store_->size() > UINT32_MAX) throw std::length_error("more than 2^32 task outputs");
  }

  //! The `index`th data set alone, sharing this storage; std::out_of_range past the end.
  TaskOutputs one(size_t index) const {
    at(index);
    TaskOutputs part;
    part.store_ = store_;
    part.first_ = first_ + static_cast<uint32_t>(index);
    part.count_ = 1;
    return part;
  }

  bool known() const { return store_ != nullptr; }
  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  const DataSet* begin() const { return store_ ? store_->data() + first_ : nullptr; }
  const DataSet* end() const { return begin() + count_; }
  const DataSet& operator[](size_t i) const { return begin()[i]; }
  const DataSet& at(size_t i) const {
    if (i >= count_)
      throw std::out_of_range("task output " + std::to_string(i) + " of " + std::to_string(count_));
    return begin()[i];
  }
  const DataSet& front() const { return at(0); }
  //! Whether both are views of the same storage (what a pick shares with its split).
  bool shares_storage_with(const TaskOutputs& o) const { return store_ && store_ == o.store_; }

 private:
  std::shared_ptr<const std::vector<DataSet>> store_;
  uint32_t first_ = 0;  // 24 bytes in all: one per task of a million-task job
  uint32_t count_ = 0;
};

}  // namespace smallpond
