"""Errors: named classes under one base, with the step and the query in the message; what is
not supported says so and what to use instead."""
import pytest

import smallpond_cpp as smallpond


def test_error_classes():
    assert issubclass(smallpond.InvalidInputError, smallpond.Error)
    assert issubclass(smallpond.ExecutionError, smallpond.Error)
    assert issubclass(smallpond.InvalidInputError, ValueError)
    assert issubclass(smallpond.ExecutionError, RuntimeError)


def test_bad_query_names_the_step_and_query(sp):
    df = sp.from_items([{"a": 1}])
    bad = sp.partial_sql("SELECT no_such_column FROM {0}", df)
    with pytest.raises(smallpond.ExecutionError) as e:
        bad.count()
    message = str(e.value)
    assert "no_such_column" in message and f"step '{bad.name}'" in message
    assert "query: SELECT no_such_column FROM {0}" in message


def test_failing_task_is_an_execution_error(sp):
    df = sp.from_items([{"a": "x"}, {"a": "1"}]).repartition(2, by_rows=True)
    failing = sp.partial_sql("SELECT CAST(a AS INTEGER) AS n FROM {0}", df)
    with pytest.raises(smallpond.ExecutionError) as e:
        failing.to_arrow()
    message = str(e.value)
    assert "Conversion Error" in message and "query: SELECT CAST(a AS INTEGER)" in message


def test_missing_files_and_bad_arguments(sp, tmp_path):
    with pytest.raises(smallpond.InvalidInputError, match="no files match"):
        sp.read_parquet(str(tmp_path / "nothing/*.parquet")).count()
    with pytest.raises(smallpond.InvalidInputError, match="unknown option"):
        smallpond.init(job_dir=str(tmp_path / "j"), no_such_option=1)
    with pytest.raises(smallpond.InvalidInputError, match="__arrow_c_stream__"):
        sp.from_arrow([1, 2, 3])
    with pytest.raises(smallpond.InvalidInputError, match="type must be"):
        sp.from_items([1]).write_parquet(str(tmp_path / "o"), type="zip")
    with pytest.raises(smallpond.InvalidInputError, match="unknown argument"):
        sp.partial_sql("SELECT 1", cpu_limit=2, no_such=3)
