"""Arrow, pandas and polars in and out: every value and type, partition order, empty frames."""
import datetime
import decimal

import pandas as pd
import polars as pl
import pyarrow as pa

from conftest import assert_same_rows, truth

MIXED_SQL = """SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE 'ü' || i::VARCHAR END AS s,
    i / 3 AS d, DATE '2024-01-01' + i::INTEGER AS day,
    TIMESTAMP '2024-01-01 00:00:00' + to_seconds(i) AS ts, (i / 7)::DECIMAL(12, 3) AS money,
    [i, i + 1] AS l, {'a': i, 'b': i % 2 = 0} AS st, i % 2 = 0 AS even
    FROM range(3000) t(i)"""


def test_to_arrow_keeps_partition_order(sp, tmp_path):
    pa_tbl = pa.table({"item": list(range(9000))})
    df = sp.from_arrow(pa_tbl).repartition(3, by_rows=True)
    desc = sp.partial_sql("SELECT item FROM {0} ORDER BY item DESC", df)
    got = desc.to_arrow().column("item").to_pylist()
    expected = [i for part in range(3) for i in range(part * 3000 + 2999, part * 3000 - 1, -1)]
    assert got == expected
    # pyarrow reads a DataFrame directly through the PyCapsule protocol.
    assert pa.table(desc).num_rows == 9000


def test_round_trip_of_every_type(sp):
    expected = truth(MIXED_SQL)
    df = sp.from_arrow(expected).repartition(4, hash_by="id")
    got = df.to_arrow()
    assert got.schema.names == expected.schema.names
    assert_same_rows(got, expected)
    first = sp.from_arrow(expected).take(1)[0]
    assert first["day"] == datetime.date(2024, 1, 1)
    assert first["money"] == decimal.Decimal("0.000")
    assert first["st"] == {"a": 0, "b": True}


def test_reader_pandas_polars_items(sp):
    table = pa.table({"k": [3, 1, 2], "v": ["c", None, "ü"]})
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=1))
    assert_same_rows(sp.from_arrow(reader).to_arrow(), table)
    assert_same_rows(sp.from_pandas(table.to_pandas()).to_arrow(), table)
    polars_frame = pl.DataFrame({"k": [3, 1, 2], "v": ["c", None, "ü"]})
    back = pl.from_arrow(sp.from_arrow(polars_frame).to_arrow())
    assert back.sort("k").equals(polars_frame.sort("k"))
    assert sp.from_items([5, 6]).take_all() == [{"item": 5}, {"item": 6}]
    assert sp.from_items([{"a": 1, "b": "x"}]).take_all() == [{"a": 1, "b": "x"}]
    assert isinstance(sp.from_items([1]).to_pandas(), pd.DataFrame)


def test_empty_frames_keep_their_columns(sp):
    empty = pa.table({"a": pa.array([], pa.int64()), "b": pa.array([], pa.string())})
    df = sp.from_arrow(empty)
    assert df.count() == 0
    got = df.to_arrow()
    assert got.num_rows == 0 and got.schema.names == ["a", "b"]
    none = sp.from_items([{"a": 1}]).filter("a < 0")
    assert none.take_all() == [] and none.to_pandas().columns.tolist() == ["a"]
