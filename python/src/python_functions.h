#pragma once
// Python functions in the plan: the C++ side of smallpond_cpp._functions.

#include <nanobind/nanobind.h>

namespace smallpond::python {

//! DataFrame.map_batches_python(payload, batch_size): a map_batches step whose parameters carry
//! a packed Python function (smallpond_cpp._functions.pack).
void bind_python_functions(nanobind::module_& m);

}  // namespace smallpond::python
