// Python functions in the plan. A step's function is one C++ function of this module,
// run_python_batch, located in the executors like any function of a plan (the executors load
// this same module); its parameters carry the Python function, packed by
// smallpond_cpp._functions, which also applies it to each batch. Batches cross as Arrow C data
// in capsules: no row is converted in C++.
#include "python_functions.h"

#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "smallpond/smallpond.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace smallpond::python {
namespace {

void free_schema_capsule(void* p) noexcept {
  auto* s = static_cast<ArrowSchema*>(p);
  if (s->release) s->release(s);
  delete s;
}

void free_array_capsule(void* p) noexcept {
  auto* a = static_cast<ArrowArray*>(p);
  if (a->release) a->release(a);
  delete a;
}

template <class T>
void move_from_capsule(nb::handle capsule, const char* name, T* out) {
  auto* source = static_cast<T*>(PyCapsule_GetPointer(capsule.ptr(), name));
  if (!source) throw nb::python_error();
  *out = *source;
  source->release = nullptr;  // ours now; the capsule only frees the struct
}

// Calls smallpond_cpp._functions.<entry>(payload, schema, array) with the batch as Arrow C
// data in capsules (no copy). The caller holds the GIL. A Python exception becomes an error
// naming the function: most errors of user code come back on every try, so it is not retried.
nb::object call_with_batch(const char* entry, const Batch& batch, const Row& params) {
  try {
    auto* schema = new ArrowSchema{};
    nb::capsule schema_capsule(schema, "arrow_schema", free_schema_capsule);
    auto* array = new ArrowArray{};
    nb::capsule array_capsule(array, "arrow_array", free_array_capsule);
    batch.export_arrow(schema, array);
    nb::object apply = nb::module_::import_("smallpond_cpp._functions").attr(entry);
    return apply(params["function"].as_string(), schema_capsule, array_capsule);
  } catch (nb::python_error& e) {
    throw InvalidInputError("the Python function " + params["name"].as_string() +
                            " raised an error:\n" + e.what());
  }
}

void run_python_batch(const Batch& input, const Row& params, ArrowSchema* schema,
                      ArrowArray* array) {
  // Executors serve tasks with the GIL released (see serve_if_executor).
  nb::gil_scoped_acquire gil;
  nb::object out = call_with_batch("apply_batch", input, params);
  if (out.is_none()) return;  // nothing from this batch
  nb::tuple capsules = nb::cast<nb::tuple>(out);
  move_from_capsule(capsules[0], "arrow_schema", schema);
  move_from_capsule(capsules[1], "arrow_array", array);
}

// A Python object returned by a SQL function as a Value (the engine casts it to the declared
// return type; what is neither a number, a boolean nor text goes as its text).
Value to_value(nb::handle v) {
  if (v.is_none()) return Value();
  if (nb::isinstance<nb::bool_>(v)) return Value(nb::cast<bool>(v));
  if (nb::isinstance<nb::int_>(v)) return Value(nb::cast<int64_t>(v));
  if (nb::isinstance<nb::float_>(v)) return Value(nb::cast<double>(v));
  if (nb::isinstance<nb::str>(v)) return Value(nb::cast<std::string>(v));
  return Value(nb::cast<std::string>(nb::str(v)));
}

std::vector<Value> run_python_udf(const Batch& args, const Row& params) {
  nb::gil_scoped_acquire gil;
  nb::list out = nb::cast<nb::list>(call_with_batch("apply_udf", args, params));
  std::vector<Value> values;
  values.reserve(out.size());
  for (nb::handle v : out) values.push_back(to_value(v));
  return values;
}

}  // namespace

void bind_python_functions(nb::module_& m) {
  nb::class_<Session> session = nb::borrow<nb::class_<Session>>(m.attr("Session"));
  session.def(
      "create_python_function",
      [](Session& self, const std::string& name, const std::string& payload,
         const std::string& label, const std::vector<std::string>& arg_types,
         const std::string& return_type) {
        Row params;
        params["function"] = payload;
        params["name"] = label;
        self.create_function(name, run_python_udf, params, arg_types, return_type);
      },
      "name"_a, "payload"_a, "label"_a, "arg_types"_a, "return_type"_a);
  nb::class_<DataFrame> df = nb::borrow<nb::class_<DataFrame>>(m.attr("DataFrame"));
  df.def(
      "map_batches_python",
      [](const DataFrame& self, const std::string& payload, const std::string& name,
         int64_t batch_size) {
        Row params;
        params["function"] = payload;
        params["name"] = name;
        return self.map_batches(run_python_batch, params, batch_size);
      },
      "payload"_a, "name"_a, "batch_size"_a);
}

}  // namespace smallpond::python
