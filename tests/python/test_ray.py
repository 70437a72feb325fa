"""On a Ray cluster (label ray): a local cluster of this test's own (a head with 2 CPUs and a
second node joined to it, on this machine), executors as Ray actors; results against DuckDB
on the unpartitioned data; an actor killed mid-job; the actors' names in Ray's own list."""
import os
import re
import shutil
import signal
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


SECOND_NODE = {}  # the second node's node manager port, for the test that stops it


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
    second = ports()
    SECOND_NODE["node_manager_port"] = second[1]
    subprocess.run([RAY, "start", "--address", address, "--num-cpus=1", *second, *common],
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


def ray_tasks():
    """Ray's own record of the cluster's named tasks, as `ray list tasks` shows them: name,
    final state and error. Read from Ray's GCS, where the state API reads it, since the test
    cluster runs without the dashboard that serves `ray list tasks`."""
    from ray._private.state import state
    from ray.core.generated.common_pb2 import TaskStatus

    tasks = {}
    for event in state._get_all_task_events():
        task = tasks.setdefault((event.task_id, event.attempt_number), {"state": None})
        if event.task_info.name:
            task["name"] = event.task_info.name
        for status in event.state_updates.state_ts_ns:
            if TaskStatus.Name(status) in ("FINISHED", "FAILED"):
                task["state"] = TaskStatus.Name(status)
        if event.state_updates.HasField("error_info"):
            task["error"] = event.state_updates.error_info.error_message
    return [t for t in tasks.values() if "name" in t]


def test_ray_lists_every_task_by_its_step(ray_cluster, prices, tmp_path):
    """Each task attempt is a task of Ray's, named after the job and the step, that finishes
    or fails as the attempt did."""
    job = f"listed-{os.getpid()}"
    with smallpond.init(job_name=job, job_dir=str(tmp_path / "job"), ray_address=ray_cluster,
                        progress=False) as sp:
        parts = sp.read_parquet(f"{prices}/*.parquet").repartition(3, hash_by="ticker")
        sp.partial_sql("SELECT count(*) AS n FROM {0}", parts).to_arrow()
        query = sp.last_report().steps[-1].step
        with pytest.raises(Exception, match="no good"):
            sp.partial_sql("SELECT error('no good ' || count(*)) FROM {0}", parts).to_arrow()
    # Ray reports task records every second; the actors sent their last as they left.
    expected = [f"{job}: {query}[{i}]" for i in range(3)]
    deadline = time.monotonic() + 20
    while True:
        ours = [t for t in ray_tasks() if t["name"].startswith(f"{job}: ")]
        done = {t["name"]: t for t in ours if t["state"]}
        failed = [t for t in done.values() if t["state"] == "FAILED"]
        if (all(n in done for n in expected) and failed) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert all(done.get(n, {}).get("state") == "FINISHED" for n in expected), ours
    assert failed, ours
    # the attempt that failed, and its step's others that the failed job abandoned
    assert any("no good" in t.get("error", "") for t in failed), failed
    assert all(re.fullmatch(rf"{job}: sql_\d+\[[0-2]\]", t["name"]) and
               not t["name"].startswith(f"{job}: {query}[") for t in failed), failed
    assert any(t["name"].startswith(f"{job}: repartition") for t in done.values()), ours


def partial_then_total(sp, prices):
    """Six partial aggregates, kept in the actors' memory, all read by one total task."""
    parts = sp.read_parquet(f"{prices}/*.parquet").repartition(6, hash_by="ticker")
    partial = sp.partial_sql(
        "SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM {0} GROUP BY ticker", parts)
    return sp.partial_sql(
        "SELECT ticker, sum(n)::BIGINT AS n, sum(v)::BIGINT AS v FROM {0} GROUP BY ticker",
        partial.repartition(1))


TOTAL_TRUTH = ("SELECT ticker, count(*)::BIGINT AS n, sum(volume)::BIGINT AS v "
               "FROM '{}/*.parquet' GROUP BY ticker")


def test_in_memory_outputs_move_as_ray_objects(ray_cluster, prices, tmp_path):
    """Method 1: the partial aggregates that the total reads on another actor are handed over
    through Ray's object store; only references pass through the driver."""
    with smallpond.init(job_dir=str(tmp_path / "job"), ray_address=ray_cluster, progress=False,
                        optimize=False, memory_passing_bytes=8 << 20) as sp:
        got = partial_then_total(sp, prices).to_arrow()
        report = sp.last_report()
        assert sum(step.in_memory for step in report.steps) == 6, str(report)
        assert report.memory_tables_by_reference > 0, str(report)
        assert report.memory_bytes_through_driver == 0, str(report)
    assert_same_rows(got, truth(TOTAL_TRUTH.format(prices)))


def wait_until_done(sp, step):
    """Until every task of the step (None: the first step) is done, for at most a minute."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        steps = [s for s in sp.progress().steps if step is None or s.step == step][:1]
        if steps and steps[0].total > 0 and steps[0].done == steps[0].total:
            return
        time.sleep(0.05)


def test_every_actor_killed_between_producer_and_consumer(ray_cluster, prices, tmp_path):
    """Every actor is killed once the partial aggregates are in their memory (Ray objects and
    all): Ray restarts the actors, they connect again and take their places, the lost partial
    aggregates are computed again from their inputs, and the total is right."""
    marker = tmp_path / "hold"
    marker.write_text("")

    def hold(row):
        while os.path.exists(str(marker)):
            time.sleep(0.02)
        return True

    with smallpond.init(job_dir=str(tmp_path / "job"), ray_address=ray_cluster, progress=False,
                        optimize=False, memory_passing_bytes=8 << 20) as sp:
        parts = sp.read_parquet(f"{prices}/*.parquet").repartition(6, hash_by="ticker")
        partial = sp.partial_sql(
            "SELECT ticker, count(*) AS n, sum(volume)::BIGINT AS v FROM {0} GROUP BY ticker",
            parts).named("partial")
        gate = sp.from_items([{"x": 1}]).filter(hold)  # the total waits for it
        total = sp.partial_sql(
            "SELECT ticker, sum(n)::BIGINT AS n, sum(v)::BIGINT AS v FROM {0} "
            "WHERE (SELECT count(*) FROM {1}) = 1 GROUP BY ticker",
            partial.repartition(1), gate.repartition(1))

        def kill_all():
            wait_until_done(sp, "partial")
            for actor in sp._ray_actors:
                ray.kill(actor, no_restart=False)  # Ray restarts it
            marker.unlink()

        killer = threading.Thread(target=kill_all)
        killer.start()
        got = total.to_arrow()
        killer.join()
    assert_same_rows(got, truth(TOTAL_TRUTH.format(prices)))
    trace = truth(f"SELECT status, count(*) AS n FROM read_csv('{tmp_path}/job/log/*.csv') "
                  "WHERE step = 'partial' GROUP BY status")
    executed = {r["status"]: r["n"] for r in trace.to_pylist()}.get("executed", 0)
    assert executed > 6, trace  # lost with the actors' memory, and computed again


def disrupted_job(ray_cluster, prices, tmp_path, disrupt):
    """Counts the rows of a shuffle followed by a slow Python filter; once the shuffle is done
    (every actor is then inside a slow filter task) calls disrupt(session), then lets the
    filter go fast. Returns the count and the task trace."""
    marker = tmp_path / "slow"
    marker.write_text("")

    def keep(row):
        if os.path.exists(str(marker)):
            time.sleep(0.001)
        return True

    with smallpond.init(job_dir=str(tmp_path / "job"), ray_address=ray_cluster,
                        progress=False) as sp:
        df = sp.read_parquet(f"{prices}/*.parquet").repartition(6, hash_by="ticker").filter(keep)

        def disrupt_once_shuffled():
            wait_until_done(sp, None)
            time.sleep(0.5)
            disrupt(sp)
            time.sleep(1)
            marker.unlink()

        disruptor = threading.Thread(target=disrupt_once_shuffled)
        disruptor.start()
        n = df.count()
        disruptor.join()
    trace = "".join(p.read_text() for p in (tmp_path / "job" / "log").glob("*.csv"))
    return n, trace


def test_an_actor_killed_mid_job(ray_cluster, prices, tmp_path):
    n, trace = disrupted_job(ray_cluster, prices, tmp_path,
                             lambda sp: ray.kill(sp._ray_actors[0], no_restart=True))
    assert n == 100000
    assert ",lost," in trace


PIPELINE = """steps:
  - name: prices
    read_parquet: "{data}/*.parquet"
  - name: by_ticker
    repartition: {{input: prices, npartitions: 3, hash_by: ticker}}
  - name: stats
    sql: "SELECT ticker, min(price) AS lo, max(price) AS hi, count(*) AS n FROM {{0}} GROUP BY ticker"
    inputs: [by_ticker]
  - name: save
    write_parquet: {{input: stats, path: "{out}"}}
"""


def test_a_pipeline_file_on_ray_locally_and_under_mpirun(ray_cluster, prices, tmp_path):
    """The same pipeline file, unchanged, through `smallpond run` on Ray, locally and under
    mpirun: the same result, DuckDB's."""
    cli = os.environ.get("SMALLPOND_CLI")
    if not cli:
        pytest.skip("SMALLPOND_CLI is not set (ctest sets it)")
    expected = truth(f"SELECT ticker, min(price) AS lo, max(price) AS hi, count(*) AS n "
                     f"FROM '{prices}/*.parquet' GROUP BY ticker")
    env = dict(os.environ, SMALLPOND_PYTHON=sys.executable, RAY_AUTH_MODE="disabled",
               OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    runs = {"ray": ["--ray", ray_cluster], "local": ["--executors", "2"]}
    for name, extra in runs.items():
        out = tmp_path / f"out-{name}"
        (tmp_path / f"{name}.yaml").write_text(PIPELINE.format(data=prices, out=out))
        done = subprocess.run([cli, "run", str(tmp_path / f"{name}.yaml"), "--job-dir",
                               str(tmp_path / f"job-{name}"), "--quiet", *extra],
                              env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert_same_rows(truth(f"SELECT * FROM '{out}/*.parquet'"), expected)
    if shutil.which("mpirun"):
        out = tmp_path / "out-mpi"
        (tmp_path / "mpi.yaml").write_text(PIPELINE.format(data=prices, out=out))
        done = subprocess.run(["mpirun", "-np", "3", "--oversubscribe", cli, "run",
                               str(tmp_path / "mpi.yaml"), "--job-dir", str(tmp_path / "job-mpi"),
                               "--quiet"], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert_same_rows(truth(f"SELECT * FROM '{out}/*.parquet'"), expected)
    # The actors of the Ray run are gone with it.
    names = [a["name"] for a in ray.util.list_named_actors(all_namespaces=True)] \
        if ray.is_initialized() else []
    assert not [n for n in names if n.startswith("smallpond-smallpond-")]  # job "smallpond"


def test_a_rerun_on_ray_reuses_what_the_job_directory_holds(ray_cluster, prices, tmp_path):
    """run_on_ray's resume: a second run with the same job directory runs nothing again."""
    query = "SELECT ticker, count(*) AS n FROM {0} GROUP BY ticker"
    results = []
    for run in range(2):
        with smallpond.init(job_dir=str(tmp_path / "job"), ray_address=ray_cluster,
                            progress=False) as sp:
            df = sp.partial_sql(query, sp.read_parquet(f"{prices}/*.parquet")
                                .repartition(3, hash_by="ticker"))
            df.write_parquet(str(tmp_path / "out"))
            report = sp.last_report()
            results.append((report.executed_tasks(), report.reused_tasks()))
    assert results[0][0] > 0 and results[0][1] == 0, results
    # Nothing ran again; the last step's outputs were reused (what they read is not visited).
    assert results[1][0] == 0 and results[1][1] > 0, results
    assert_same_rows(truth(f"SELECT * FROM '{tmp_path}/out/*.parquet'"),
                     truth(f"SELECT ticker, count(*) AS n FROM '{prices}/*.parquet' "
                           "GROUP BY ticker"))


# Last in this file: the cluster has only its head afterwards.
def test_a_ray_node_stopped_mid_job(ray_cluster, prices, tmp_path):
    """The second Ray node dies (its raylet and the actors' processes on it SIGKILLed) while
    every actor is in a task: its actor's task runs again on the head's, the job is right."""
    victims = []

    def stop_second_node(sp):
        port = int(SECOND_NODE["node_manager_port"])
        node = [n["NodeID"] for n in ray.nodes() if n["NodeManagerPort"] == port][0]
        places = ray.get([a.where.remote() for a in sp._ray_actors])
        victims.extend(p["pid"] for p in places if p["node_id"] == node)
        subprocess.run(["pkill", "-9", "-f", f"node_manager_port={port}"])  # its raylet
        for pid in victims:
            os.kill(pid, signal.SIGKILL)

    n, trace = disrupted_job(ray_cluster, prices, tmp_path, stop_second_node)
    assert len(victims) == 1, victims  # one actor per CPU: one on the second node
    assert n == 100000
    assert ",lost," in trace
