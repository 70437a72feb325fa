"""Fixtures of the Python tests: sessions in temporary job directories, sample data written by
DuckDB directly, and DuckDB run directly as the truth results are compared against."""
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

import smallpond_cpp as smallpond

SCRIPTS = Path(__file__).parent / "scripts"


@pytest.fixture
def sp(tmp_path):
    with smallpond.init(job_dir=str(tmp_path / "job"), num_executors=2, progress=False) as session:
        yield session


@pytest.fixture(scope="session")
def prices(tmp_path_factory) -> Path:
    """100 000 rows of (ticker, date, price, volume) in 4 Parquet files; 50 tickers, some
    with non-ASCII names, some NULL prices."""
    d = tmp_path_factory.mktemp("prices")
    for f in range(4):
        duckdb.sql(f"""COPY (SELECT
              CASE WHEN i % 50 < 45 THEN 'T' || lpad((i % 50)::VARCHAR, 3, '0')
                   ELSE 'Ä' || (i % 50)::VARCHAR END AS ticker,
              DATE '2024-01-01' + (i % 300)::INTEGER AS date,
              CASE WHEN i % 97 = 0 THEN NULL ELSE round((hash(i, 1) % 100000) / 100.0, 2) END AS price,
              (hash(i, 2) % 1000)::BIGINT AS volume
            FROM range({f * 25000}, {(f + 1) * 25000}) t(i))
            TO '{d}/part-{f}.parquet' (FORMAT parquet)""")
    return d


def truth(sql: str) -> pa.Table:
    """DuckDB's result of sql, run directly (not through smallpond_cpp)."""
    return duckdb.sql(sql).fetch_arrow_table()


def rows(table: pa.Table) -> list:
    """The rows as a sorted list of tuples: equal for equal multisets of rows."""
    return sorted((tuple(r.values()) for r in table.to_pylist()), key=repr)


def assert_same_rows(got: pa.Table, expected: pa.Table) -> None:
    assert got.column_names == expected.column_names
    assert got.num_rows == expected.num_rows
    assert rows(got) == rows(expected)


def mpirun(ranks: int) -> list:
    """The command prefix that runs a program as `ranks` MPI ranks on this machine."""
    return ["mpirun", "-np", str(ranks), "--oversubscribe", "-x", "PYTHONPATH",
            "-x", "SP_DATA_ROOT", "-x", "SP_NUM_EXECUTORS"]


def run_script(name: str, *args: str, env: dict = None, cwd: Path = None,
               launcher: list = None) -> str:
    """Runs tests/python/scripts/<name> as a program (under `launcher`, e.g. mpirun(3));
    returns its output."""
    full_env = dict(os.environ, **(env or {}))
    if launcher:  # running as root, OpenMPI wants to be told it may
        full_env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    done = subprocess.run([*(launcher or []), sys.executable, str(SCRIPTS / name),
                           *map(str, args)], env=full_env,
                          cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout
