"""smallpond_cpp: smallpond's DataFrame API over the smallpond-cpp engine.

A script written for smallpond runs after changing its import::

    import smallpond_cpp as smallpond

    sp = smallpond.init()
    df = sp.read_parquet("prices/*.parquet")
    df = df.repartition(3, hash_by="ticker")
    df = sp.partial_sql("SELECT ticker, min(price), max(price) FROM {0} GROUP BY ticker", df)
    print(df.to_pandas())

docs/python.md lists smallpond's functions and their status here.
"""
from smallpond_cpp._core import Error, ExecutionError, InvalidInputError, JobReport, StepReport
from smallpond_cpp.dataframe import DataFrame
from smallpond_cpp.session import Session, init, serve_executor_node

__version__ = "0.1.0"

__all__ = [
    "DataFrame",
    "Error",
    "ExecutionError",
    "InvalidInputError",
    "JobReport",
    "Session",
    "StepReport",
    "init",
    "serve_executor_node",
]
