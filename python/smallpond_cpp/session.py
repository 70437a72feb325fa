"""The session: sources, partial_sql and the executors, with smallpond's names and parameters."""
from __future__ import annotations

import os
import sys
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from smallpond_cpp import _core
from smallpond_cpp._actions import in_notebook
from smallpond_cpp.dataframe import DataFrame, _as_list, _node_hints

Paths = Union[str, os.PathLike, Sequence[Union[str, os.PathLike]]]

# Options of the C++ session that init() passes through by name (docs/python.md).
_OPTION_NAMES = {
    "job_dir", "threads_per_task", "memory_per_task", "max_retry", "max_fail", "fail_fast",
    "memory_passing_bytes", "speculation", "speculation_min_seconds", "fault_probability",
    "heartbeat_timeout", "progress", "optimize", "overwrite", "sandbox", "shuffle_producers",
    "listen_address", "executor_connect_timeout", "flush_task_outputs",
}


def _paths(paths: Paths) -> List[str]:
    return [os.fspath(p) for p in _as_list(paths)]


def _package_parent() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Session:
    """A smallpond session: the job directory and the executor processes.

    Made by :func:`init`. Executors start with the first action and stop at :meth:`shutdown`
    (or when the session is garbage collected, or the program ends).
    """

    def __init__(self, core: _core.Session, notebook_progress: bool = False) -> None:
        self._core = core
        self._notebook_progress = notebook_progress
        self._ray_actors: list = []  # executors on Ray (init(ray_address=...))

    # Sources: each is one partition; repartition() spreads it.

    def read_parquet(self, paths: Paths, recursive: bool = False,
                     columns: Optional[Sequence[str]] = None, union_by_name: bool = False,
                     generated_columns: Optional[Sequence[str]] = None) -> DataFrame:
        """Parquet files: paths, globs (``dir/*.parquet``) or directories.

        ``generated_columns`` adds ``filename`` and/or ``file_row_number``.
        """
        return DataFrame(self, self._core.read_parquet(
            _paths(paths), list(columns or []), union_by_name, recursive,
            list(generated_columns or [])))

    def read_csv(self, paths: Paths, schema: Optional[Mapping[str, str]] = None,
                 delim: str = ",", header: Optional[bool] = None) -> DataFrame:
        """CSV files. ``schema`` maps column names to SQL types, in the files' order.

        smallpond's files have no header line; here, without ``header``, whether the first
        line names the columns is detected (on the first file, then the same for all).
        """
        return DataFrame(self, self._core.read_csv(
            _paths(paths), list((schema or {}).items()), delim, header))

    def read_json(self, paths: Paths, schema: Optional[Mapping[str, str]] = None) -> DataFrame:
        """Newline-delimited JSON files; ``schema`` maps column names to SQL types."""
        return DataFrame(self, self._core.read_json(_paths(paths), list((schema or {}).items())))

    def read_partitioned(self, path: str, npartitions: int, column: str = "") -> DataFrame:
        """Data partitioned before (hive ``column=k`` directories, or write_parquet's
        ``part-<k>-`` files), read back as ``npartitions`` partitions."""
        return DataFrame(self, self._core.read_partitioned(os.fspath(path), npartitions, column))

    def from_arrow(self, data: Any) -> DataFrame:
        """Anything with ``__arrow_c_stream__`` (a pyarrow Table or RecordBatchReader, a polars
        DataFrame, ...): taken through the Arrow C stream interface, without a copy in Python,
        and stored once in the job directory, named by its content."""
        if not hasattr(data, "__arrow_c_stream__"):
            raise _core.InvalidInputError(
                f"from_arrow: a {type(data).__name__} is not Arrow data (it has no "
                "__arrow_c_stream__; pyarrow >= 14 tables and readers and polars frames have)")
        return DataFrame(self, self._core.from_arrow_capsule(data.__arrow_c_stream__()))

    def from_pandas(self, df: Any) -> DataFrame:
        """A pandas DataFrame (converted by pyarrow, index dropped)."""
        import pyarrow as pa

        return self.from_arrow(pa.Table.from_pandas(df, preserve_index=False))

    def from_items(self, items: Iterable[Any]) -> DataFrame:
        """A list of dicts (their keys are the columns) or of plain values (one column
        ``item``)."""
        import pyarrow as pa

        items = list(items)
        if not items:
            raise _core.InvalidInputError("from_items: no items (the columns would be unknown)")
        if all(isinstance(i, Mapping) for i in items):
            table = pa.Table.from_pylist(items)
        else:
            table = pa.table({"item": items})
        return self.from_arrow(table)

    # Steps over several inputs.

    def partial_sql(self, query: str, *inputs: DataFrame, **kwargs: Any) -> DataFrame:
        """Runs ``query`` once per partition: ``{0}``, ``{1}``, ... are this partition of the
        first, second, ... input (aligned by partition; a one-partition input goes to every
        task); no input gives one task."""
        _node_hints("partial_sql", kwargs)
        for i in inputs:
            if not isinstance(i, DataFrame):
                raise _core.InvalidInputError(
                    f"partial_sql: input {type(i).__name__} is not a DataFrame")
        return DataFrame(self, self._core.partial_sql(query, [i._core for i in inputs]))

    def create_function(self, name: str, func: Any, params: Optional[Sequence[Any]] = None,
                        return_type: Any = None, use_arrow_type: bool = False) -> None:
        """Makes a Python function callable from SQL as ``name(args...)`` in the queries of
        frames built after this call; it runs in the executors. ``params`` are the argument
        types and ``return_type`` the result's, as SQL type names (``"BIGINT"``) or DuckDB
        type objects. Called per row with Python values, or with ``use_arrow_type=True`` per
        batch with a pyarrow array per argument."""
        from smallpond_cpp import _functions

        if params is None or return_type is None:
            raise _core.InvalidInputError(
                f"create_function '{name}': give the argument types (params=) and return_type=")
        payload = _functions.pack("arrow_udf" if use_arrow_type else "udf", func)
        self._core.create_python_function(
            name, payload, f"{_functions.describe(func)} (SQL function {name})",
            [str(t) for t in params], str(return_type))

    # Pipeline files and the session itself.

    def run_pipeline(self, path: str) -> _core.JobReport:
        """Runs a pipeline file (docs/pipeline-format.md), as ``smallpond run`` does."""
        from smallpond_cpp._actions import run_action

        path = os.fspath(path)
        return run_action(self, lambda: self._core.run_pipeline(path))

    def explain_pipeline(self, path: str) -> str:
        return self._core.explain_pipeline(os.fspath(path))

    @property
    def job_dir(self) -> str:
        """The job directory: task outputs, logs; a rerun with the same one reuses them."""
        return self._core.job_dir()

    def progress(self) -> _core.JobProgress:
        """How far the running action is (from another thread): tasks done and in all, step
        by step; after it, the last job's final counts."""
        return self._core.progress()

    def last_report(self) -> _core.JobReport:
        """What the most recent action did, step by step."""
        return self._core.last_report()

    def shutdown(self) -> None:
        """Stops the executor processes (and the executor actors on Ray)."""
        self._core.shutdown()
        if self._ray_actors:
            from smallpond_cpp import _ray

            _ray.stop_executors(self._ray_actors)
            self._ray_actors = []

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.shutdown()

    def __repr__(self) -> str:
        return f"smallpond_cpp.Session(job_dir={self.job_dir!r})"


def init(job_id: Optional[str] = None, job_time: Any = None, job_name: Optional[str] = None,
         data_root: Optional[str] = None, num_executors: Optional[int] = None,
         ray_address: Optional[str] = None, bind_numa_node: bool = False,
         platform: Optional[str] = None, **options: Any) -> Session:
    """Starts a session, as ``smallpond.init`` does.

    The job directory is ``data_root/job_id``: ``data_root`` defaults to ``.smallpond`` (in the
    current directory) and ``job_id`` to the script's name; ``job_dir=`` names it directly. A
    rerun with the same directory reuses the outputs of finished tasks. As in smallpond, the
    environment overrides the arguments: ``SP_JOBID``, ``SP_DATA_ROOT``, ``SP_NUM_EXECUTORS``.
    ``num_executors`` (0: one per core) local executor processes run the tasks; under
    ``mpirun`` the MPI ranks do; with ``ray_address`` (or ``SP_RAY_ADDRESS``), Ray actors on
    the cluster's nodes do, ``num_executors`` of them (default: one per CPU of the cluster). Other keyword arguments set the C++ session's options
    (``memory_passing_bytes``, ``progress``, ``max_retry``, ``overwrite``, ... : docs/python.md).
    ``job_time`` is accepted and not used (job directories are not named by time here).
    """
    job_id = os.environ.get("SP_JOBID", job_id)
    data_root = os.environ.get("SP_DATA_ROOT", data_root)
    if "SP_NUM_EXECUTORS" in os.environ:
        num_executors = int(os.environ["SP_NUM_EXECUTORS"])
    ray_address = os.environ.get("SP_RAY_ADDRESS", ray_address)
    if bind_numa_node:
        raise _core.InvalidInputError("init: bind_numa_node is not supported")
    if platform not in (None, "local"):
        raise _core.InvalidInputError(f"init: platform {platform!r} is not supported (only 'local')")
    unknown = sorted(set(options) - _OPTION_NAMES)
    if unknown:
        raise _core.InvalidInputError(
            f"init: unknown option {', '.join(unknown)} (known: {', '.join(sorted(_OPTION_NAMES))})")

    o = _core.Options()
    script = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    o.job_name = job_name or os.path.splitext(script)[0] or "smallpond"
    if "job_dir" not in options:
        o.job_dir = os.path.join(data_root or ".smallpond", job_id or o.job_name)
    if num_executors is not None:
        o.executors = int(num_executors)
    for name, value in options.items():
        setattr(o, name, value)
    # A notebook does not show the process's stderr: the progress is drawn in the cell.
    notebook = "progress" not in options and in_notebook()
    if notebook:
        o.progress = False
    o.executor_command = executor_command()
    _export_module_path()
    actors: list = []
    if ray_address:
        from smallpond_cpp import _ray

        o.listen_address, o.executors, actors = _ray.start_executors(
            ray_address, o.job_name, num_executors)
    try:
        session = Session(_core.init(o), notebook_progress=notebook)
    except BaseException:
        if actors:
            _ray.stop_executors(actors)
        raise
    session._ray_actors = actors
    return session


def executor_command() -> List[str]:
    """How this package starts an executor process: this interpreter, serving tasks."""
    return [sys.executable, "-m", "smallpond_cpp._executor"]


def serve_executor_node(driver_address: str, connect_timeout: float = 60,
                        object_store: Any = None, task_observer: Any = None) -> None:
    """Serves as an executor node of a driver on another machine, started with
    ``init(listen_address="HOST:PORT", num_executors=N)``: connects to it (trying for
    ``connect_timeout`` seconds) and runs its tasks, Python functions included, until the
    driver stops or is gone. ``smallpond relay HOST:PORT`` does the same for plans without
    Python functions.

    ``object_store``: hands in-memory outputs to other nodes through a cluster's object store
    instead of through the driver; an object with ``put(table, data) -> reference``,
    ``get(reference) -> data`` (raising when lost) and ``release(table)``, bytes in and out
    (smallpond_cpp._ray's is Ray's object store).

    ``task_observer``: told of every task attempt this node runs, for a cluster's own tools to
    show; an object with ``started(label, attempt)`` (label ``"step[partition]"``, attempts
    from 1) and ``finished(error)`` (``""`` when it succeeded). Both are called from the node's
    relay thread and must return at once."""
    _export_module_path()
    _core.serve_executor_node(driver_address, executor_command(), float(connect_timeout),
                              object_store, task_observer)


def _export_module_path() -> None:
    """Executors are this interpreter running smallpond_cpp._executor: they must import this
    very package, wherever it was found, and the modules the driver finds (functions of a
    plan may name them)."""
    path = os.environ.get("PYTHONPATH", "")
    installed = os.path.basename(_package_parent()) in ("site-packages", "dist-packages")
    if not installed and _package_parent() not in path.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (_package_parent(), path) if p)
    os.environ["SMALLPOND_PYTHON_PATH"] = os.pathsep.join(
        os.path.abspath(p) if p else os.getcwd() for p in sys.path)
