"""Scripts written in smallpond's style, with only the import line changed, run as programs
(`python script.py`), each output compared with DuckDB on the unpartitioned data."""
import duckdb

from conftest import assert_same_rows, run_script, truth


def env_for(tmp_path):
    # smallpond's own environment variables choose the job directory and the executors.
    return {"SP_DATA_ROOT": str(tmp_path / "root"), "SP_NUM_EXECUTORS": "2"}


def test_quickstart(prices, tmp_path):
    out = tmp_path / "out"
    printed = run_script("quickstart.py", prices, out, env=env_for(tmp_path))
    expected = truth(f"""SELECT ticker, min(price) AS min_price, max(price) AS max_price
                         FROM '{prices}/*.parquet' GROUP BY ticker""")
    assert_same_rows(truth(f"SELECT * FROM '{out}/*.parquet'"), expected)
    assert "T001" in printed and "Ä49" in printed
    # The job directory is data_root/<script name>, and a rerun reuses its tasks.
    assert (tmp_path / "root" / "quickstart").is_dir()
    run_script("quickstart.py", prices, out, env=env_for(tmp_path))
    assert_same_rows(truth(f"SELECT * FROM '{out}/*.parquet'"), expected)


def test_dedup_by_hash(tmp_path):
    src = tmp_path / "visits"
    src.mkdir()
    for f in range(3):
        duckdb.sql(f"""COPY (SELECT 'https://example.org/' || (hash(i) % 2000)::VARCHAR AS url,
                       i AS ts, (200 + i % 3)::INTEGER AS status
                     FROM range({f * 10000}, {(f + 1) * 10000}) t(i))
                     TO '{src}/v{f}.parquet' (FORMAT parquet)""")
    out = tmp_path / "out"
    printed = run_script("dedup.py", src, out, env=env_for(tmp_path))
    expected = truth(f"""SELECT DISTINCT ON (url) url, ts, status FROM '{src}/*.parquet'
                         ORDER BY url, ts DESC""")
    assert_same_rows(truth(f"SELECT * FROM '{out}/*.parquet'"), expected)
    assert f"{expected.num_rows} distinct urls" in printed


def test_join_of_two_partitioned_inputs(tmp_path):
    data = tmp_path / "shop"
    (data / "orders").mkdir(parents=True)
    (data / "customers").mkdir()
    duckdb.sql(f"""COPY (SELECT i AS customer_id, 'customer ' || i AS name FROM range(500) t(i))
                 TO '{data}/customers/c.parquet' (FORMAT parquet)""")
    for f in range(2):
        duckdb.sql(f"""COPY (SELECT i AS order_id, (hash(i) % 600)::BIGINT AS customer_id,
                       ((i % 1000) / 10)::DECIMAL(10, 1) AS amount FROM range({f * 20000}, {(f + 1) * 20000}) t(i))
                     TO '{data}/orders/o{f}.parquet' (FORMAT parquet)""")
    out = tmp_path / "out"
    run_script("join.py", data, out, env=env_for(tmp_path))
    expected = truth(f"""SELECT c.customer_id, c.name, count(*) AS orders, sum(o.amount) AS total
                         FROM '{data}/orders/*.parquet' o JOIN '{data}/customers/*.parquet' c
                         ON o.customer_id = c.customer_id GROUP BY c.customer_id, c.name""")
    assert_same_rows(truth(f"SELECT * FROM '{out}/*.parquet'"), expected)
