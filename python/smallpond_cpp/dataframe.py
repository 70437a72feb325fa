"""DataFrame: a lazily evaluated, partitioned dataset, with smallpond's methods.

Transformations return new frames and run nothing; actions (count, take, to_arrow,
to_pandas, write_parquet, ...) run the plan on the session's executors.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Union

from smallpond_cpp import _core
from smallpond_cpp._actions import run_action

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    import pyarrow

    from smallpond_cpp.session import Session

# Scheduling hints smallpond's nodes take; every task here gets the same resources.
_HINTS = {"cpu_limit", "gpu_limit", "memory_limit"}


def _as_list(value: Any) -> List[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _node_hints(where: str, kwargs: Dict[str, Any]) -> None:
    unknown = sorted(set(kwargs) - _HINTS)
    if unknown:
        raise _core.InvalidInputError(f"{where}: unknown argument {', '.join(unknown)}")


# Rows per batch given to row functions (filter, map, flat_map) in the executors.
_ROW_BATCH = 4096


class DataFrame:
    """A partitioned dataset of a :class:`Session`. Immutable: every method returns a new one."""

    def __init__(self, session: "Session", core: _core.DataFrame) -> None:
        self._session = session
        self._core = core

    def _derive(self, core: _core.DataFrame) -> "DataFrame":
        return DataFrame(self._session, core)

    def _act(self, call: Any) -> Any:
        """Runs an action so that Ctrl-C stops its job (see _interrupt)."""
        return run_action(self._session, call)

    # Partitioning.

    def repartition(self, npartitions: int, hash_by: Union[str, Sequence[str], None] = None,
                    by: Optional[str] = None, by_rows: bool = False, nested: bool = False,
                    dimension: Optional[str] = None, **kwargs: Any) -> "DataFrame":
        """Redistributes the rows into ``npartitions`` partitions.

        ``hash_by``: rows with equal values in these columns land together
        (``hash(cols) % n``). ``by``: a SQL expression whose value is the partition index
        (``"item % 10"``). Neither: the input files are split evenly (``by_rows=True``: the
        rows). ``nested=True`` partitions each partition on its own, in a new ``dimension``.
        """
        _node_hints("repartition", kwargs)
        return self._derive(self._core.repartition(
            npartitions, [str(c) for c in _as_list(hash_by)], by or "", by_rows, nested,
            dimension or ""))

    def random_shuffle(self, npartitions: int = 0, **kwargs: Any) -> "DataFrame":
        """Spreads the rows at random over ``npartitions`` (0: as many as now) and shuffles
        each partition."""
        _node_hints("random_shuffle", kwargs)
        return self._derive(self._core.random_shuffle(npartitions))

    # Row-wise steps (consecutive ones are fused into one query).

    def _python(self, kind: str, func: Any, schema: Any, batch_size: int) -> "DataFrame":
        from smallpond_cpp import _functions

        payload = _functions.pack(kind, func, schema)
        core = self._core.map_batches_python(payload, f"{_functions.describe(func)} ({kind})",
                                             int(batch_size))
        # Named as the method (filter_7, map_7, ...), not as the C++ step it becomes.
        return self._derive(core.named(f"{kind}_{core.name().rsplit('_', 1)[-1]}"))

    def filter(self, sql_or_func: Any, **kwargs: Any) -> "DataFrame":
        """Keeps the rows where a SQL condition holds (``df.filter("price > 10")``) or where a
        Python function of the row, a dict, is true (``df.filter(lambda r: r["price"] > 10)``).
        Functions run in the executors: lambdas and closures travel with the plan."""
        _node_hints("filter", kwargs)
        if callable(sql_or_func):
            return self._python("filter", sql_or_func, None, _ROW_BATCH)
        return self._derive(self._core.filter(sql_or_func))

    def map(self, sql_or_func: Any, *, schema: Any = None, udfs: Any = None,
            **kwargs: Any) -> "DataFrame":
        """New columns from SQL expressions (``df.map("a + b AS c, d")``), or a Python
        function from a row (a dict) to a row (``df.map(lambda r: {"c": r["a"] + r["b"]})``);
        ``schema`` (a pyarrow.Schema) fixes its output types, otherwise inferred."""
        _node_hints("map", kwargs)
        if udfs:
            raise _core.InvalidInputError("map: udfs= is not supported; see docs/python.md")
        if callable(sql_or_func):
            return self._python("map", sql_or_func, schema, _ROW_BATCH)
        if schema is not None:
            raise _core.InvalidInputError("map: schema= applies to a function, not to SQL")
        return self._derive(self._core.map(sql_or_func))

    def flat_map(self, sql_or_func: Any, *, schema: Any = None, **kwargs: Any) -> "DataFrame":
        """A Python function from a row (a dict) to a list of rows; ``schema`` as for map.
        A SQL string is a select list, as for map (``UNNEST`` in it gives several rows per
        row)."""
        _node_hints("flat_map", kwargs)
        if callable(sql_or_func):
            return self._python("flat_map", sql_or_func, schema, _ROW_BATCH)
        return self._derive(self._core.map(sql_or_func))

    def map_batches(self, func: Any, batch_size: int = 122880, **kwargs: Any) -> "DataFrame":
        """A Python function from a pyarrow.Table of up to ``batch_size`` rows to a
        pyarrow.Table (or RecordBatch, pandas or polars frame) of any columns."""
        _node_hints("map_batches", kwargs)
        if batch_size < 1:
            raise _core.InvalidInputError("map_batches: batch_size must be at least 1")
        return self._python("map_batches", func, None, batch_size)

    # Ordering, limits and combining.

    def partial_sort(self, by: Union[str, Sequence[str]], **kwargs: Any) -> "DataFrame":
        """Sorts each partition on its own: ``partial_sort("price DESC")``."""
        _node_hints("partial_sort", kwargs)
        return self._derive(self._core.partial_sort(", ".join(_as_list(by))))

    def sort(self, by: Union[str, Sequence[str]], npartitions: int = 0) -> "DataFrame":
        """A global sort into ``npartitions`` ranges (0: as many as now): partition i precedes
        partition i + 1, each sorted. ``by`` is an ORDER BY list: ``"day, price DESC"``."""
        return self._derive(self._core.sort(", ".join(_as_list(by)), npartitions))

    def limit(self, limit: int) -> "DataFrame":
        """The first ``limit`` rows of the whole frame."""
        return self._derive(self._core.limit(int(limit)))

    def drop_duplicates(self, columns: Union[str, Sequence[str], None] = None,
                        npartitions: int = 0) -> "DataFrame":
        """Rows equal on ``columns`` (all when none) kept once, across partitions."""
        return self._derive(self._core.drop_duplicates(
            [str(c) for c in _as_list(columns)], npartitions))

    def consolidate(self, dimension: str) -> "DataFrame":
        """Merges the partitions that differ only in ``dimension`` (a nested partition)."""
        return self._derive(self._core.consolidate(dimension))

    def union(self, *others: "DataFrame") -> "DataFrame":
        """The partitions of this frame, then those of the others (UNION ALL)."""
        return self._derive(self._core.union_all([o._core for o in others]))

    union_all = union

    # Actions.

    def write_parquet(self, path: str, type: str = "link_or_copy") -> _core.JobReport:
        """Writes the partitions as Parquet files into the directory ``path``, with a
        ``.MANIFEST.txt``; ``type``: link_or_copy, copy, link or manifest."""
        import os

        path = os.fspath(path)
        return self._act(lambda: self._core.write_parquet(path, type))

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """The Arrow PyCapsule protocol: runs the plan and hands its rows, the partitions in
        order, as an Arrow C stream (``pyarrow.table(df)``, ``polars.from_arrow(...)``)."""
        return self._act(self._core.to_arrow_capsule)

    def to_arrow(self) -> "pyarrow.Table":
        """All rows as a pyarrow Table, the partitions in order."""
        import pyarrow as pa

        return pa.RecordBatchReader.from_stream(self).read_all()

    def to_pandas(self) -> "pandas.DataFrame":
        """All rows as a pandas DataFrame, the partitions in order."""
        return self.to_arrow().to_pandas()

    def take(self, n: int) -> List[Dict[str, Any]]:
        """The first ``n`` rows, as dicts."""
        return self.limit(n).to_arrow().to_pylist()

    def take_all(self) -> List[Dict[str, Any]]:
        """All rows, as dicts."""
        return self.to_arrow().to_pylist()

    def count(self) -> int:
        """The number of rows."""
        return self._act(self._core.count)

    def compute(self) -> None:
        """Runs the plan (its outputs stay in the job directory for later actions)."""
        self._act(self._core.count)

    def recompute(self) -> "DataFrame":
        """The same frame, computed again by the next action instead of reused."""
        return self._derive(self._core.recompute())

    # Inspection.

    def explain(self) -> str:
        """The plan: the steps, fused queries, shuffles and how many tasks each runs."""
        return self._core.explain()

    @property
    def num_partitions(self) -> int:
        return self._core.num_partitions()

    @property
    def name(self) -> str:
        """The step's name, as progress, reports and errors show it."""
        return self._core.name()

    def named(self, name: str) -> "DataFrame":
        """The same frame under another step name."""
        return self._derive(self._core.named(name))

    def __repr__(self) -> str:
        return f"smallpond_cpp.DataFrame({self.name}, {self.num_partitions} partitions)"
