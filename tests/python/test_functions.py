"""Python functions in the plan (filter, map, flat_map, map_batches): run in the executors,
results against DuckDB on the unpartitioned data; functions that cannot travel or that fail
give errors naming them."""
import shutil
import threading

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import smallpond_cpp as smallpond
from conftest import assert_same_rows, mpirun, run_script, truth


@pytest.mark.parametrize("launcher", ["local", "mpirun"])
def test_a_script_with_functions(prices, tmp_path, launcher):
    if launcher == "mpirun" and not shutil.which("mpirun"):
        pytest.skip("no mpirun")
    out = tmp_path / "out"
    # Under mpirun, rank 0 runs the script and ranks 1 and 2 are its executors.
    printed = run_script("functions.py", prices, out,
                         env={"SP_DATA_ROOT": str(tmp_path / "root"), "SP_NUM_EXECUTORS": "2"},
                         launcher=mpirun(3) if launcher == "mpirun" else None)
    assert printed.count("driver done") == 1  # the other ranks only served tasks
    src = f"'{prices}/*.parquet'"
    assert_same_rows(
        truth(f"SELECT * FROM '{out}/cheap/*.parquet'"),
        truth(f"SELECT ticker, round(price * 100)::BIGINT AS cents FROM {src} WHERE price < 100"))
    assert_same_rows(truth(f"SELECT * FROM '{out}/expensive/*.parquet'"),
                     truth(f"SELECT * FROM {src} WHERE price > 900"))
    assert_same_rows(truth(f"SELECT * FROM '{out}/turnover/*.parquet'"),
                     truth(f"SELECT *, price * volume AS turnover FROM {src}"))
    assert_same_rows(
        truth(f"SELECT * FROM '{out}/repeated/*.parquet'"),
        truth(f"SELECT ticker, k FROM {src}, range(volume % 3) t(k)"))


def test_map_with_schema_and_batches_of_other_kinds(sp):
    df = sp.from_items([{"a": i, "s": None if i % 3 == 0 else str(i)} for i in range(2000)])
    df = df.repartition(3, by_rows=True)
    schema = pa.schema([("a", pa.int32()), ("s", pa.string())])
    mapped = df.map(lambda r: {"a": r["a"] * 2, "s": r["s"]}, schema=schema).to_arrow()
    assert mapped.schema.field("a").type == pa.int32()
    assert sorted(mapped.column("a").to_pylist()) == [2 * i for i in range(2000)]
    assert mapped.column("s").null_count == len(range(0, 2000, 3))
    as_pandas = df.map_batches(lambda t: t.to_pandas().assign(b=lambda x: x.a + 1), batch_size=333)
    assert sorted(as_pandas.to_arrow().column("b").to_pylist()) == list(range(1, 2001))
    as_polars = df.map_batches(lambda t: pl.from_arrow(t).select(pl.col("a") * 3))
    assert sorted(as_polars.to_arrow().column("a").to_pylist()) == [3 * i for i in range(2000)]
    # Nothing passes: the input's columns stay.
    none = df.filter(lambda r: False).to_arrow()
    assert none.num_rows == 0 and none.column_names == ["a", "s"]


def test_functions_are_part_of_the_step(sp):
    df = sp.from_items(list(range(100)))
    factor = 2
    assert sum(r["y"] for r in df.map(lambda r: {"y": r["item"] * factor}).take_all()) == 9900
    factor = 3  # another closure value: another step, computed again
    assert sum(r["y"] for r in df.map(lambda r: {"y": r["item"] * factor}).take_all()) == 14850
    assert df.map(lambda r: {"y": 1}).name.startswith("map_")


def test_a_function_that_cannot_travel(sp):
    lock = threading.Lock()
    df = sp.from_items([1])
    with pytest.raises(smallpond.InvalidInputError, match="cannot be sent to the executors"):
        df.filter(lambda r: lock.locked())


def test_a_failing_function_names_itself(sp):
    def explode(row):
        raise KeyError("no such thing")

    df = sp.from_items([1, 2])
    with pytest.raises(smallpond.ExecutionError) as e:
        df.map(explode).count()
    message = str(e.value)
    assert "explode (map)" in message and "KeyError: 'no such thing'" in message
    with pytest.raises(smallpond.ExecutionError, match="returned a int"):
        df.map_batches(lambda t: 5).count()


def test_python_functions_callable_from_sql(sp, prices):
    from duckdb.sqltypes import DOUBLE  # smallpond scripts pass DuckDB's type objects

    sp.create_function("band", lambda price: "high" if price > 500 else "low",
                       ["DOUBLE"], "VARCHAR")
    tax = 0.2  # captured
    sp.create_function("with_tax", lambda prices: [None if p is None else p * (1 + tax)
                                                   for p in prices.to_pylist()],
                       [DOUBLE], DOUBLE, use_arrow_type=True)
    df = sp.read_parquet(f"{prices}/*.parquet").repartition(3, hash_by="ticker")
    # Grouped by the partition key too: each group lies in one partition.
    got = sp.partial_sql("SELECT ticker, band(price) AS b, count(*) AS n, "
                         "sum(with_tax(price)) AS t FROM {0} GROUP BY ticker, b", df).to_arrow()
    expected = truth(f"""SELECT ticker, CASE WHEN price IS NULL THEN NULL WHEN price > 500
                           THEN 'high' ELSE 'low' END AS b, count(*) AS n, sum(price * 1.2) AS t
                         FROM '{prices}/*.parquet' GROUP BY ticker, b""")
    assert got.num_rows == expected.num_rows
    got_rows = {(r["ticker"], r["b"]): (r["n"], r["t"]) for r in got.to_pylist()}
    for r in expected.to_pylist():
        n, t = got_rows[(r["ticker"], r["b"])]
        assert n == r["n"]
        assert (t is None and r["t"] is None) or abs(t - r["t"]) <= 1e-9 * abs(r["t"])
    with pytest.raises(smallpond.InvalidInputError, match="params="):
        sp.create_function("nothing", lambda x: x)
