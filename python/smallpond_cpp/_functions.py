"""Python functions in the plan: packed in the driver, applied to Arrow batches in executors.

filter(func), map(func), flat_map(func) and map_batches(func) all become one C++ step, a
map_batches with columnar output whose parameters carry the function (pickled by cloudpickle,
so lambdas and closures of the user's script travel by value); the executor's C++ code calls
apply_batch() below with each batch as Arrow C data and takes its result the same way.
"""
from __future__ import annotations

import base64
import hashlib
import pickle
from typing import Any, Callable, Dict, Optional, Tuple

import pyarrow as pa

from smallpond_cpp import _core

KINDS = ("filter", "map", "flat_map", "map_batches", "udf", "arrow_udf")


def describe(func: Any) -> str:
    name = getattr(func, "__qualname__", None) or type(func).__name__
    module = getattr(func, "__module__", None)
    return f"{module}.{name}" if module and module != "__main__" else name


def pack(kind: str, func: Callable, schema: Optional[pa.Schema] = None) -> str:
    """The function as text for the plan: base64 of its cloudpickle."""
    import cloudpickle

    if not callable(func):
        raise _core.InvalidInputError(f"{kind}: {type(func).__name__} is not a function")
    if schema is not None and not isinstance(schema, pa.Schema):
        raise _core.InvalidInputError(f"{kind}: schema must be a pyarrow.Schema")
    try:
        data = cloudpickle.dumps((kind, func, schema))
    except Exception as e:  # what cloudpickle cannot serialise: locks, sockets, open files, ...
        raise _core.InvalidInputError(
            f"{kind}: the function {describe(func)} cannot be sent to the executors, which are "
            f"other processes: {type(e).__name__}: {e}. Functions may use values of the script "
            "(numbers, strings, lists, dicts, other functions) but not open files, locks, "
            "connections or sessions; open those inside the function.") from e
    return base64.b64encode(data).decode("ascii")


_loaded: Dict[str, Tuple[str, Callable, Optional[pa.Schema]]] = {}


def _load(payload: str) -> Tuple[str, Callable, Optional[pa.Schema]]:
    key = hashlib.sha1(payload.encode("ascii")).hexdigest()
    if key not in _loaded:
        _loaded[key] = pickle.loads(base64.b64decode(payload))
    return _loaded[key]


def _as_table(kind: str, func: Callable, out: Any) -> pa.Table:
    if isinstance(out, pa.Table):
        return out
    if isinstance(out, pa.RecordBatch):
        return pa.Table.from_batches([out])
    if hasattr(out, "__arrow_c_stream__"):
        return pa.table(out)
    try:
        import pandas as pd

        if isinstance(out, pd.DataFrame):
            return pa.Table.from_pandas(out, preserve_index=False)
    except ImportError:  # pragma: no cover
        pass
    raise TypeError(f"{kind}: {describe(func)} returned a {type(out).__name__}, not a "
                    "pyarrow.Table (nor a RecordBatch, pandas or polars frame)")


def apply_batch(payload: str, schema_capsule: Any, array_capsule: Any) -> Any:
    """One batch through the function; returns the result's Arrow capsules (schema, array),
    or None when there is nothing to return (no rows, no known columns)."""
    kind, func, schema = _load(payload)
    table = pa.Table.from_batches([pa.RecordBatch._import_from_c_capsule(schema_capsule,
                                                                         array_capsule)])
    if kind == "map_batches":
        out = _as_table(kind, func, func(table))
    elif kind == "filter":
        rows = table.to_pylist()
        out = table.filter(pa.array([bool(func(r)) for r in rows], pa.bool_()))
    elif kind == "map":
        out = pa.Table.from_pylist([func(r) for r in table.to_pylist()], schema=schema)
    elif kind == "flat_map":
        out = pa.Table.from_pylist([o for r in table.to_pylist() for o in func(r)], schema=schema)
    else:
        raise ValueError(f"unknown function kind {kind!r}")
    if out.num_columns == 0:
        return None
    batches = out.combine_chunks().to_batches()
    batch = batches[0] if batches else pa.RecordBatch.from_pylist([], schema=out.schema)
    return batch.__arrow_c_array__()


def apply_udf(payload: str, schema_capsule: Any, array_capsule: Any) -> list:
    """One batch of calls of a SQL function: a value per row. A native function is called
    once per row with Python values (a row with a NULL argument gives NULL without a call, as
    in DuckDB); an Arrow one (use_arrow_type) once per batch with one pyarrow array per
    argument, returning an array or list."""
    kind, func, _ = _load(payload)
    batch = pa.RecordBatch._import_from_c_capsule(schema_capsule, array_capsule)
    if kind == "arrow_udf":
        out = func(*batch.columns)
        values = out.to_pylist() if hasattr(out, "to_pylist") else list(out)
    else:
        columns = [c.to_pylist() for c in batch.columns]
        values = [None if any(a is None for a in args) else func(*args)
                  for args in zip(*columns)]
    if len(values) != batch.num_rows:
        raise ValueError(f"{describe(func)} returned {len(values)} values for "
                         f"{batch.num_rows} rows")
    return values
