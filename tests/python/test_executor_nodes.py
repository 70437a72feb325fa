"""Executor nodes from Python: a driver started with init(listen_address=...) and nodes that
connect to it (smallpond_cpp.serve_executor_node, as a cluster manager's actor would run
them), here on loopback; Python functions of the plan run on the nodes."""
import socket
import subprocess
import sys

import smallpond_cpp as smallpond
from conftest import assert_same_rows, truth

NODE = "import sys, smallpond_cpp; smallpond_cpp.serve_executor_node(sys.argv[1], 30)"


def free_address():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


def test_a_job_with_python_functions_on_executor_nodes(prices, tmp_path):
    address = free_address()
    nodes = [subprocess.Popen([sys.executable, "-c", NODE, address]) for _ in range(2)]
    try:
        with smallpond.init(job_dir=str(tmp_path / "job"), listen_address=address,
                            num_executors=2, progress=False) as sp:
            df = sp.read_parquet(f"{prices}/*.parquet").repartition(4, hash_by="ticker")
            low = 50
            got = df.filter(lambda r: r["price"] is not None and r["price"] < low).to_arrow()
        assert_same_rows(got, truth(f"SELECT * FROM '{prices}/*.parquet' WHERE price < 50"))
        for node in nodes:
            assert node.wait(timeout=30) == 0  # told to stop when the session ended
    finally:
        for node in nodes:
            node.kill()
