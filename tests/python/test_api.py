"""smallpond's API here: its names and parameters, and what each operation computes, against
DuckDB on the unpartitioned data."""
import inspect

import pytest

import smallpond_cpp as smallpond
from conftest import assert_same_rows, rows, truth

# smallpond 0.15.0's public API (its functions and the parameters scripts pass by name).
SMALLPOND_API = {
    smallpond: {"init": ["job_id", "job_time", "job_name", "data_root", "num_executors",
                         "ray_address", "bind_numa_node", "platform"]},
    smallpond.Session: {
        "read_parquet": ["paths", "recursive", "columns", "union_by_name"],
        "read_csv": ["paths", "schema", "delim"],
        "read_json": ["paths", "schema"],
        "from_arrow": [], "from_pandas": [], "from_items": [],
        "partial_sql": ["query"],
        "shutdown": [],
    },
    smallpond.DataFrame: {
        "repartition": ["npartitions", "hash_by", "by", "by_rows"],
        "random_shuffle": [], "filter": [], "map": [], "flat_map": [],
        "map_batches": ["batch_size"], "partial_sort": ["by"], "limit": [],
        "write_parquet": ["path"], "take": ["n"], "take_all": [], "to_arrow": [],
        "to_pandas": [], "count": [], "compute": [], "recompute": [],
    },
}


@pytest.mark.parametrize("owner", list(SMALLPOND_API), ids=lambda o: getattr(o, "__name__", ""))
def test_smallpond_names_and_parameters(owner):
    for name, params in SMALLPOND_API[owner].items():
        fn = getattr(owner, name)
        assert fn.__doc__, f"{name} has no docstring"
        accepted = inspect.signature(fn).parameters
        for p in params:
            assert p in accepted, f"{name}() has no parameter {p}"


def prices_sql(prices):
    return f"'{prices}/*.parquet'"


def test_quickstart_in_process(sp, prices):
    df = sp.read_parquet(f"{prices}/*.parquet").repartition(3, hash_by="ticker")
    df = sp.partial_sql(
        "SELECT ticker, count(*) AS n, sum(volume) AS v FROM {0} GROUP BY ticker", df)
    expected = truth(f"SELECT ticker, count(*) AS n, sum(volume) AS v FROM {prices_sql(prices)} "
                     "GROUP BY ticker")
    assert_same_rows(df.to_arrow(), expected)
    assert df.count() == 50
    assert df.num_partitions == 3
    assert len(df.take(5)) == 5
    assert rows(smallpond_table(df.take_all())) == rows(expected)
    assert df.to_pandas().shape == (50, 3)
    # Every ticker in exactly one partition.
    per_part = sp.partial_sql("SELECT DISTINCT ticker FROM {0}", df)
    assert per_part.count() == 50


def smallpond_table(dicts):
    import pyarrow as pa

    return pa.Table.from_pylist(dicts)


def test_filter_map_sort_limit(sp, prices):
    df = sp.read_parquet(f"{prices}/*.parquet").repartition(4, by_rows=True)
    got = df.filter("price > 500").map("ticker, price * 2 AS doubled")
    expected = truth(f"SELECT ticker, price * 2 AS doubled FROM {prices_sql(prices)} "
                     "WHERE price > 500")
    assert_same_rows(got.to_arrow(), expected)
    # A global sort: the partitions in order give DuckDB's ORDER BY.
    ordered = df.sort("price DESC NULLS LAST, date, ticker, volume", npartitions=4).to_arrow()
    expected = truth(f"SELECT * FROM {prices_sql(prices)} "
                     "ORDER BY price DESC NULLS LAST, date, ticker, volume")
    assert ordered.to_pylist() == expected.to_pylist()
    assert df.limit(7).count() == 7
    # partial_sort: each partition sorted on its own.
    sorted_parts = df.partial_sort(["volume", "date"]).to_arrow()
    assert sorted_parts.num_rows == 100000


def test_repartition_kinds_keep_every_row(sp, prices):
    base = sp.read_parquet(f"{prices}/*.parquet")
    expected = truth(f"SELECT * FROM {prices_sql(prices)}")
    for df in (base.repartition(3), base.repartition(5, by_rows=True),
               base.repartition(4, hash_by=["ticker", "date"]),
               base.repartition(10, by="volume % 10"), base.random_shuffle(3)):
        assert_same_rows(df.to_arrow(), expected)
    nested = base.repartition(2, hash_by="ticker").repartition(
        3, hash_by="date", nested=True, dimension="by_date")
    assert nested.num_partitions == 6
    assert_same_rows(nested.consolidate("by_date").to_arrow(), expected)


def test_union_and_drop_duplicates(sp, prices):
    a = sp.read_parquet(f"{prices}/*.parquet")
    both = a.union(a.filter("volume < 100"))
    expected = truth(f"SELECT * FROM {prices_sql(prices)} UNION ALL "
                     f"SELECT * FROM {prices_sql(prices)} WHERE volume < 100")
    assert_same_rows(both.to_arrow(), expected)
    distinct = both.drop_duplicates(["ticker", "date"], npartitions=3)
    assert distinct.count() == truth(
        f"SELECT count(DISTINCT (ticker, date)) AS n FROM {prices_sql(prices)}").column(0)[0].as_py()


def test_write_parquet_and_resume(sp, prices, tmp_path):
    df = sp.partial_sql("SELECT ticker, count(*) AS n FROM {0} GROUP BY ticker",
                        sp.read_parquet(f"{prices}/*.parquet").repartition(2, hash_by="ticker"))
    report = df.write_parquet(str(tmp_path / "out"))
    assert report.executed_tasks() > 0
    assert (tmp_path / "out" / ".MANIFEST.txt").exists()
    assert_same_rows(truth(f"SELECT * FROM '{tmp_path}/out/*.parquet'"),
                     truth(f"SELECT ticker, count(*) AS n FROM {prices_sql(prices)} GROUP BY ticker"))
    again = df.write_parquet(str(tmp_path / "out"))
    assert again.executed_tasks() == 0 and again.reused_tasks() > 0
    assert df.recompute().count() == 50
    assert "repartition" in df.explain()


def test_sources_csv_json(sp, tmp_path):
    (tmp_path / "a.csv").write_text("1,x\n2,ü\n3,\n")
    (tmp_path / "a.json").write_text('{"k": 1, "v": "x"}\n{"k": 2, "v": null}\n')
    csv = sp.read_csv(str(tmp_path / "a.csv"), schema={"k": "BIGINT", "v": "VARCHAR"})
    assert csv.take_all() == [{"k": 1, "v": "x"}, {"k": 2, "v": "ü"}, {"k": 3, "v": None}]
    js = sp.read_json([str(tmp_path / "a.json")], schema={"k": "BIGINT", "v": "VARCHAR"})
    assert js.take_all() == [{"k": 1, "v": "x"}, {"k": 2, "v": None}]


def test_init_options_and_context(tmp_path):
    with smallpond.init(data_root=str(tmp_path / "root"), job_id="j1", num_executors=1,
                        progress=False, memory_passing_bytes=1 << 20) as sp:
        assert sp.job_dir == str(tmp_path / "root" / "j1")
        assert sp.from_items([{"a": 1}, {"a": 2}]).count() == 2
    # Task outputs flushed to disk when each task ends: the same results.
    with smallpond.init(job_dir=str(tmp_path / "flushed"), num_executors=1, progress=False,
                        flush_task_outputs=True) as sp:
        df = sp.from_items([{"a": i} for i in range(10)]).repartition(2, hash_by="a")
        assert sorted(r["a"] for r in df.take_all()) == list(range(10))
