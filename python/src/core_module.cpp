// smallpond_cpp._core: the C++ API as seen from Python. The Python package (smallpond_cpp/)
// wraps it in smallpond's own names and parameters; this module stays a thin layer: types,
// errors, the GIL and Arrow capsules.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "python_functions.h"
#include "smallpond/smallpond.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace smallpond::python {
namespace {

using Released = nb::call_guard<nb::gil_scoped_release>;

// Python's exception classes: Error, and InvalidInputError / ExecutionError under it (also
// under ValueError / RuntimeError, where Python code expects them).
PyObject* error_class = nullptr;
PyObject* invalid_input_class = nullptr;
PyObject* execution_class = nullptr;

PyObject* new_exception(nb::module_& m, const char* name, PyObject* bases, const char* doc) {
  std::string qualified = std::string("smallpond_cpp.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases, nullptr);
  if (!cls) throw nb::python_error();
  m.attr(name) = nb::handle(cls);
  return cls;
}

void register_errors(nb::module_& m) {
  error_class = new_exception(m, "Error", PyExc_Exception, "Base of all smallpond_cpp errors.");
  nb::object invalid_bases = nb::make_tuple(nb::handle(error_class), nb::handle(PyExc_ValueError));
  invalid_input_class =
      new_exception(m, "InvalidInputError", invalid_bases.ptr(),
                    "A bad argument, query, path or pipeline: fix the input and run again.");
  nb::object exec_bases = nb::make_tuple(nb::handle(error_class), nb::handle(PyExc_RuntimeError));
  execution_class = new_exception(
      m, "ExecutionError", exec_bases.ptr(),
      "A job failed while running; the message names the step, the task and the query.");
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const InvalidInputError& e) {
      PyErr_SetString(invalid_input_class, e.what());
    } catch (const ExecutionError& e) {
      PyErr_SetString(execution_class, e.what());
    } catch (const Error& e) {
      PyErr_SetString(error_class, e.what());
    }
  });
}

// The Arrow PyCapsule protocol: a capsule named "arrow_array_stream" owning a heap
// ArrowArrayStream; whoever consumes it moves the struct out and leaves release == NULL.
void free_stream_capsule(void* p) noexcept {
  auto* s = static_cast<ArrowArrayStream*>(p);
  if (s->release) s->release(s);
  delete s;
}

nb::capsule stream_capsule(const DataFrame& df) {
  auto* s = new ArrowArrayStream{};
  try {
    nb::gil_scoped_release released;
    df.to_arrow(s);
  } catch (...) {
    delete s;
    throw;
  }
  return nb::capsule(s, "arrow_array_stream", free_stream_capsule);
}

DataFrame from_stream_capsule(const Session& session, nb::handle capsule) {
  auto* s =
      static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule.ptr(), "arrow_array_stream"));
  if (!s) throw nb::python_error();
  // from_arrow takes the stream and releases it (release becomes NULL, so the capsule's own
  // destructor only frees the struct).
  return session.from_arrow(s);
}

SinkType sink_type_of(const std::string& name) {
  if (name == "link_or_copy") return SinkType::LinkOrCopy;
  if (name == "copy") return SinkType::Copy;
  if (name == "link") return SinkType::Link;
  if (name == "manifest") return SinkType::Manifest;
  throw InvalidInputError(
      "write_parquet: type must be link_or_copy, copy, link or manifest, not '" + name + "'");
}

void bind_options(nb::module_& m) {
  nb::class_<Options>(m, "Options")
      .def(nb::init<>())
      .def_rw("job_dir", &Options::job_dir)
      .def_rw("job_name", &Options::job_name)
      .def_rw("executor_command", &Options::executor_command)
      .def_rw("executors", &Options::executors)
      .def_rw("threads_per_task", &Options::threads_per_task)
      .def_rw("memory_per_task", &Options::memory_per_task)
      .def_rw("max_retry", &Options::max_retry)
      .def_rw("max_fail", &Options::max_fail)
      .def_rw("fail_fast", &Options::fail_fast)
      .def_rw("memory_passing_bytes", &Options::memory_passing_bytes)
      .def_rw("speculation", &Options::speculation)
      .def_rw("speculation_min_seconds", &Options::speculation_min_seconds)
      .def_rw("fault_probability", &Options::fault_probability)
      .def_rw("heartbeat_timeout", &Options::heartbeat_timeout)
      .def_rw("progress", &Options::progress)
      .def_rw("optimize", &Options::optimize)
      .def_rw("overwrite", &Options::overwrite)
      .def_rw("sandbox", &Options::sandbox)
      .def_rw("shuffle_producers", &Options::shuffle_producers)
      .def_rw("flush_task_outputs", &Options::flush_task_outputs)
      .def_rw("listen_address", &Options::listen_address)
      .def_rw("executor_connect_timeout", &Options::executor_connect_timeout);
}

void bind_report(nb::module_& m) {
  nb::class_<StepReport>(m, "StepReport")
      .def_ro("step", &StepReport::step)
      .def_ro("tasks", &StepReport::tasks)
      .def_ro("executed", &StepReport::executed)
      .def_ro("reused", &StepReport::reused)
      .def_ro("retries", &StepReport::retries)
      .def_ro("rows", &StepReport::rows)
      .def_ro("in_memory", &StepReport::in_memory)
      .def_ro("largest_task_rows", &StepReport::largest_task_rows)
      .def_ro("smallest_task_rows", &StepReport::smallest_task_rows)
      .def_ro("seconds", &StepReport::seconds);
  nb::class_<JobReport>(m, "JobReport")
      .def_ro("steps", &JobReport::steps)
      .def_ro("seconds", &JobReport::seconds)
      .def_ro("published", &JobReport::published)
      .def_ro("memory_bytes_through_driver", &JobReport::memory_bytes_through_driver)
      .def_ro("memory_tables_by_reference", &JobReport::memory_tables_by_reference)
      .def("executed_tasks", &JobReport::executed_tasks)
      .def("reused_tasks", &JobReport::reused_tasks)
      .def("__str__", &JobReport::to_string);
}

void bind_progress(nb::module_& m) {
  nb::class_<StepProgress>(m, "StepProgress")
      .def_ro("step", &StepProgress::step)
      .def_ro("done", &StepProgress::done)
      .def_ro("total", &StepProgress::total);
  nb::class_<JobProgress>(m, "JobProgress")
      .def_ro("running", &JobProgress::running)
      .def_ro("tasks_done", &JobProgress::tasks_done)
      .def_ro("tasks_total", &JobProgress::tasks_total)
      .def_ro("seconds", &JobProgress::seconds)
      .def_ro("steps", &JobProgress::steps);
}

void bind_dataframe(nb::module_& m) {
  nb::class_<DataFrame>(m, "DataFrame")
      .def(
          "repartition",
          [](const DataFrame& df, int n, std::vector<std::string> hash_by, std::string by,
             bool by_rows, bool nested, std::string dimension) {
            RepartitionOptions o;
            o.hash_by = std::move(hash_by);
            o.by = std::move(by);
            o.by_rows = by_rows;
            o.nested = nested;
            if (!dimension.empty()) o.dimension = std::move(dimension);
            return df.repartition(n, o);
          },
          "npartitions"_a, "hash_by"_a, "by"_a, "by_rows"_a, "nested"_a, "dimension"_a)
      .def("random_shuffle", &DataFrame::random_shuffle, "npartitions"_a)
      .def("filter", [](const DataFrame& df, const std::string& where) { return df.filter(where); })
      .def("map", [](const DataFrame& df, const std::string& columns) { return df.map(columns); })
      .def("partial_sort", &DataFrame::partial_sort)
      .def("sort", &DataFrame::sort, "by"_a, "npartitions"_a)
      .def("limit", &DataFrame::limit)
      .def("drop_duplicates", &DataFrame::drop_duplicates, "columns"_a, "npartitions"_a)
      .def("consolidate", &DataFrame::consolidate)
      .def("union_all", &DataFrame::union_all)
      .def(
          "write_parquet",
          [](const DataFrame& df, const std::string& path, const std::string& type) {
            SinkType t = sink_type_of(type);
            nb::gil_scoped_release released;
            return df.write_parquet(path, t);
          },
          "path"_a, "type"_a)
      .def("to_arrow_capsule", &stream_capsule)
      .def("count", &DataFrame::count, Released())
      .def("explain", &DataFrame::explain, Released())
      .def("num_partitions", &DataFrame::num_partitions)
      .def("name", &DataFrame::name)
      .def("named", &DataFrame::named)
      .def("recompute", &DataFrame::recompute);
}

void bind_session(nb::module_& m) {
  nb::class_<Session>(m, "Session")
      .def(
          "read_parquet",
          [](const Session& s, const std::vector<std::string>& paths,
             std::vector<std::string> columns, bool union_by_name, bool recursive,
             std::vector<std::string> generated_columns) {
            ParquetOptions o;
            o.columns = std::move(columns);
            o.union_by_name = union_by_name;
            o.recursive = recursive;
            o.generated_columns = std::move(generated_columns);
            return s.read_parquet(paths, o);
          },
          "paths"_a, "columns"_a, "union_by_name"_a, "recursive"_a, "generated_columns"_a)
      .def(
          "read_csv",
          [](const Session& s, const std::vector<std::string>& paths,
             std::vector<std::pair<std::string, std::string>> schema, std::string delimiter,
             std::optional<bool> header) {
            CsvOptions o;
            o.schema = std::move(schema);
            o.delimiter = std::move(delimiter);
            o.header = header;
            return s.read_csv(paths, o);
          },
          "paths"_a, "schema"_a, "delimiter"_a, "header"_a.none())
      .def("read_json", &Session::read_json, "paths"_a, "schema"_a)
      .def("read_partitioned", &Session::read_partitioned, "path"_a, "npartitions"_a, "column"_a)
      .def("from_arrow_capsule", &from_stream_capsule)
      .def(
          "partial_sql",
          [](const Session& s, const std::string& query, const std::vector<DataFrame>& inputs) {
            return s.partial_sql(query, inputs);
          },
          "query"_a, "inputs"_a)
      .def("run_pipeline", &Session::run_pipeline, Released())
      .def("explain_pipeline", &Session::explain_pipeline, Released())
      .def("last_report", &Session::last_report)
      .def("job_dir", [](const Session& s) { return s.options().job_dir; })
      .def("interrupt", &Session::interrupt)
      .def("progress", &Session::progress)
      .def("shutdown", &Session::shutdown, Released());
}

// Calls target.<method>(*args), with the GIL held; Python errors become std::runtime_error
// (the relay thread can carry them without the GIL).
template <typename... Args>
nb::object call_method(const nb::object& target, const char* method, Args&&... args) {
  try {
    return target.attr(method)(std::forward<Args>(args)...);
  } catch (nb::python_error& e) {
    throw std::runtime_error(e.what());
  }
}

// With the GIL held.
std::string bytes_of(const nb::object& value) {
  if (!nb::isinstance<nb::bytes>(value))
    throw std::runtime_error("the object store returned no bytes");
  nb::bytes b = nb::borrow<nb::bytes>(value);
  return std::string(b.c_str(), b.size());
}

nb::str str_of(const std::string& s) { return nb::str(s.c_str(), s.size()); }

// An executor node whose object store is a Python object with put(table: str, data: bytes)
// -> bytes, get(reference: bytes) -> bytes and release(table: str), and whose task observer
// has started(label: str, attempt: int) and finished(error: str) (smallpond_cpp._ray).
void serve_python_executor_node(const std::string& driver_address,
                                const std::vector<std::string>& executor_command,
                                double connect_timeout, nb::object store, nb::object observer) {
  std::optional<ObjectStore> object_store;
  if (!store.is_none()) {
    object_store = ObjectStore{
        [store](const std::string& table, const std::string& data) {
          nb::gil_scoped_acquire gil;
          return bytes_of(
              call_method(store, "put", str_of(table), nb::bytes(data.data(), data.size())));
        },
        [store](const std::string& reference) {
          nb::gil_scoped_acquire gil;
          return bytes_of(call_method(store, "get", nb::bytes(reference.data(), reference.size())));
        },
        [store](const std::string& table) {
          nb::gil_scoped_acquire gil;
          call_method(store, "release", str_of(table));
        }};
  }
  std::optional<TaskObserver> task_observer;
  if (!observer.is_none()) {
    task_observer = TaskObserver{[observer](const std::string& label, int attempt) {
                                   nb::gil_scoped_acquire gil;
                                   call_method(observer, "started", str_of(label), attempt);
                                 },
                                 [observer](const std::string& error) {
                                   nb::gil_scoped_acquire gil;
                                   call_method(observer, "finished", str_of(error));
                                 }};
  }
  {
    nb::gil_scoped_release released;
    serve_executor_node(driver_address, executor_command, connect_timeout,
                        object_store ? &*object_store : nullptr,
                        task_observer ? &*task_observer : nullptr);
  }
}

}  // namespace
}  // namespace smallpond::python

NB_MODULE(_core, m) {
  using namespace smallpond;
  using namespace smallpond::python;
  m.doc() = "The C++ core of smallpond_cpp (use the smallpond_cpp package, not this module).";
  register_errors(m);
  bind_options(m);
  bind_report(m);
  bind_progress(m);
  bind_dataframe(m);
  bind_session(m);
  bind_python_functions(m);
  m.def("init", &smallpond::init, "options"_a, Released());
  m.def("serve_executor_node", &serve_python_executor_node, "driver_address"_a,
        "executor_command"_a, "connect_timeout"_a, "object_store"_a.none() = nb::none(),
        "task_observer"_a.none() = nb::none());
  // An executor serves tasks here until it exits; the GIL is free for the tasks' Python code.
  m.def("serve_if_executor", &smallpond::serve_if_executor, Released());
}
