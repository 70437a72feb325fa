"""On a Ray cluster (label ray): a local cluster of this test's own (a head with 2 CPUs and a
second node joined to it, on this machine), executors as Ray actors; results against DuckDB
on the unpartitioned data; an actor killed mid-job; the actors' names in Ray's own list."""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

import smallpond_cpp as smallpond  # noqa: E402
from conftest import assert_same_rows, truth  # noqa: E402

RAY = str(Path(sys.executable).parent / "ray")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ports():
    return ["--node-manager-port", str(free_port()), "--object-manager-port", str(free_port()),
            "--dashboard-agent-listen-port", str(free_port()),
            "--dashboard-agent-grpc-port", str(free_port()),
            "--metrics-export-port", str(free_port()),
            "--runtime-env-agent-port", str(free_port())]


@pytest.fixture(scope="module")
def ray_cluster():
    """A head (2 CPUs) and a second node (1 CPU) on this machine; stopped afterwards."""
    temp = tempfile.mkdtemp(prefix="smallpond-ray-")
    env = dict(os.environ, RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0")
    os.environ["RAY_AUTH_MODE"] = "disabled"
    address = f"127.0.0.1:{free_port()}"
    common = ["--temp-dir", temp, "--node-ip-address=127.0.0.1"]
    subprocess.run([RAY, "start", "--head", "--num-cpus=2", "--port", address.split(":")[1],
                    "--include-dashboard=false", "--disable-usage-stats", *ports(), *common],
                   env=env, check=True, capture_output=True, timeout=120)
    subprocess.run([RAY, "start", "--address", address, "--num-cpus=1", *ports(), *common],
                   env=env, check=True, capture_output=True, timeout=120)
    try:
        yield address
    finally:
        if ray.is_initialized():
            ray.shutdown()
        subprocess.run([RAY, "stop", "--force"], env=env, capture_output=True, timeout=120)


def test_a_job_on_ray(ray_cluster, prices, tmp_path):
    with smallpond.init(job_dir=str(tmp_path / "job"), ray_address=ray_cluster,
                        progress=False) as sp:
        names = [a["name"] for a in ray.util.list_named_actors(all_namespaces=True)]
        assert sum("smallpond-" in n and "-executor-" in n for n in names) == 3  # a CPU each
        df = sp.read_parquet(f"{prices}/*.parquet").repartition(6, hash_by="ticker")
        low = 100
        got = sp.partial_sql("SELECT ticker, count(*) AS n FROM {0} GROUP BY ticker",
                             df.filter(lambda r: r["price"] is not None and r["price"] < low))
        assert_same_rows(got.to_arrow(), truth(
            f"SELECT ticker, count(*) AS n FROM '{prices}/*.parquet' WHERE price < 100 "
            "GROUP BY ticker"))


def test_an_actor_killed_mid_job(ray_cluster, prices, tmp_path):
    marker = tmp_path / "slow"
    marker.write_text("")

    def keep(row):
        if os.path.exists(str(marker)):
            time.sleep(0.001)
        return True

    with smallpond.init(job_dir=str(tmp_path / "job"), ray_address=ray_cluster,
                        progress=False) as sp:
        df = sp.read_parquet(f"{prices}/*.parquet").repartition(6, hash_by="ticker").filter(keep)

        def kill_one():
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and sp.progress().tasks_done < 5:
                time.sleep(0.05)
            ray.kill(sp._ray_actors[0], no_restart=True)
            time.sleep(1)
            marker.unlink()

        killer = threading.Thread(target=kill_one)
        killer.start()
        n = df.count()
        killer.join()
        assert n == 100000
        trace = "".join(p.read_text() for p in (tmp_path / "job" / "log").glob("*.csv"))
        assert ",lost," in trace
