"""smallpond-cpp against the original smallpond 0.15.0 on the same local Ray cluster.

One script (WORKLOAD below) runs on both sides, the only difference being the module it
imports (`smallpond_cpp as smallpond` or the original `smallpond`); both connect to the same
Ray cluster that this program starts (a head with --cpus CPUs, its own temp dir and ports; the
original venv's Ray, 2.60.0 as here, with smallpond_cpp on its workers' path as well) and stops
afterwards. The workloads, on the same files:

  quickstart  read_parquet -> repartition(3, hash_by="ticker") -> per-partition GROUP BY ->
              write_parquet (smallpond's quick start)
  hash16      read_parquet -> repartition(16, hash_by="ticker") -> write_parquet
  sort        gensort records: a bucket column from the first key byte -> repartition(16,
              by="bucket") -> per-partition ORDER BY key -> write_parquet (how smallpond's
              users sort: hand-made range partitions)

Each side is a fresh process per run; sides alternate; the best run of each is kept. Times are
of the job (from after init to the end of write_parquet) and of the whole process. Results are
checked with DuckDB: quickstart equal to DuckDB's GROUP BY on the unpartitioned data, hash16 the
same rows as the input, sort the input's records, each file in key order and the files' key
ranges disjoint.

Usage (from the repository root, the package built by scripts/build.sh):
  PYTHONPATH=build/python python bench/compare_smallpond.py \
      --original-python $(bash bench/original-venv.sh | tail -1) \
      [--rows 10000000] [--records 2000000] [--repeat 2] [--cpus 2] [--workloads a,b]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import duckdb

WORKLOAD = r'''
import json, sys, time
start = time.monotonic()
module, workload, data, out, ray_address, root = sys.argv[1:7]
smallpond = __import__(module)
sp = smallpond.init(ray_address=ray_address, data_root=root)
ready = time.monotonic()
df = sp.read_parquet(f"{data}/*.parquet")
if workload == "quickstart":
    df = df.repartition(3, hash_by="ticker")
    df = sp.partial_sql("SELECT ticker, min(price) AS lo, max(price) AS hi, count(*) AS n "
                        "FROM {0} GROUP BY ticker", df)
elif workload == "hash16":
    df = df.repartition(16, hash_by="ticker")
elif workload == "sort":
    df = sp.partial_sql("SELECT key, payload, "
                        "('0x' || left(hex(key), 2))::INTEGER * 16 // 256 AS bucket FROM {0}", df)
    df = df.repartition(16, by="bucket")
    df = sp.partial_sql("SELECT key, payload FROM {0} ORDER BY key", df)
df.write_parquet(out)
done = time.monotonic()
sp.shutdown()
print("TIMES " + json.dumps({"job": done - ready, "init": ready - start}), flush=True)
'''


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_ray(ray, temp, cpus, worker_path):
    address = f"127.0.0.1:{free_port()}"
    ports = []
    for flag in ("--node-manager-port", "--object-manager-port", "--dashboard-agent-listen-port",
                 "--dashboard-agent-grpc-port", "--metrics-export-port",
                 "--runtime-env-agent-port"):
        ports += [flag, str(free_port())]
    subprocess.run([ray, "start", "--head", f"--num-cpus={cpus}", "--port",
                    address.split(":")[1], "--include-dashboard=false",
                    "--disable-usage-stats", "--temp-dir", temp, "--node-ip-address=127.0.0.1",
                    *ports], env=dict(ray_env(), PYTHONPATH=worker_path), check=True,
                   capture_output=True, timeout=180)
    return address


def ray_env():
    # Ray 2.60 turns token authentication on by default; a local cluster of our own does not
    # need it (with it on, drivers did not connect on this machine).
    return dict(os.environ, RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0")


def make_data(work, rows, records, smallpond_cli):
    prices = os.path.join(work, "prices")
    if not os.path.isdir(prices):
        os.makedirs(prices)
        files = 10
        for f in range(files):
            lo, hi = f * rows // files, (f + 1) * rows // files
            duckdb.sql(f"""COPY (SELECT 'T' || lpad((hash(i, 7) % 2000)::VARCHAR, 4, '0') AS ticker,
                    DATE '2024-01-01' + (i % 300)::INTEGER AS date,
                    round((hash(i, 1) % 100000) / 100.0, 2) AS price,
                    (hash(i, 2) % 1000)::BIGINT AS volume
                FROM range({lo}, {hi}) t(i)) TO '{prices}/part-{f:02d}.parquet' (FORMAT parquet)""")
    gensort = os.path.join(work, "gensort")
    if not os.path.isdir(gensort):
        subprocess.run([smallpond_cli, "generate", "gensort", gensort, "--records",
                        str(records), "--files", "16"], check=True, capture_output=True)
    return {"quickstart": prices, "hash16": prices, "sort": gensort}


def check(workload, data, out):
    """None when the output is right, else what is wrong."""
    got = f"read_parquet('{out}/**/*.parquet')"
    if workload == "quickstart":
        truth = (f"SELECT ticker, min(price) AS lo, max(price) AS hi, count(*) AS n "
                 f"FROM '{data}/*.parquet' GROUP BY ticker")
        mine = f"SELECT ticker, lo, hi, n FROM {got}"
    elif workload == "hash16":
        truth = f"SELECT ticker, date, price, volume FROM '{data}/*.parquet'"
        mine = f"SELECT ticker, date, price, volume FROM {got}"
    else:
        truth = f"SELECT key, payload FROM '{data}/*.parquet'"
        mine = f"SELECT key, payload FROM {got}"
        unsorted = duckdb.sql(f"""SELECT count(*) FROM (SELECT key < lag(key) OVER
            (PARTITION BY filename ORDER BY file_row_number) AS back
            FROM read_parquet('{out}/**/*.parquet', filename = true, file_row_number = true))
            WHERE back""").fetchone()[0]
        if unsorted:
            return f"{unsorted} records out of key order within their file"
        overlaps = duckdb.sql(f"""SELECT count(*) FROM (SELECT lo < lag(hi) OVER (ORDER BY lo)
            AS overlap FROM (SELECT filename, min(key) AS lo, max(key) AS hi
            FROM read_parquet('{out}/**/*.parquet', filename = true) GROUP BY filename))
            WHERE overlap""").fetchone()[0]
        if overlaps:
            return f"{overlaps} files whose key ranges overlap another's"
    for a, b in ((mine, truth), (truth, mine)):
        extra = duckdb.sql(f"SELECT count(*) FROM (({a}) EXCEPT ALL ({b}))").fetchone()[0]
        if extra:
            return f"{extra} rows differ from DuckDB's on the unpartitioned data"
    return None


def run_side(python, module, workload, data, work, address, env):
    out = os.path.join(work, f"out-{module}-{workload}")
    root = os.path.join(work, f"root-{module}")
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)
    script = os.path.join(work, "workload.py")
    start = time.monotonic()
    done = subprocess.run([python, script, module, workload, data, out, address, root],
                          env=env, capture_output=True, text=True, timeout=1800, cwd=work)
    wall = time.monotonic() - start
    if done.returncode != 0:
        raise SystemExit(f"{module} {workload} failed:\n{done.stderr[-3000:]}")
    times = json.loads([line for line in done.stdout.splitlines()
                        if line.startswith("TIMES ")][-1][len("TIMES "):])
    return times["job"], wall, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--original-python", required=True,
                    help="python of a venv with smallpond 0.15.0 (bench/original-venv.sh)")
    ap.add_argument("--rows", type=int, default=10_000_000, help="price rows")
    ap.add_argument("--records", type=int, default=2_000_000, help="gensort records")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--cpus", type=int, default=2, help="CPUs of the Ray head")
    ap.add_argument("--workloads", default="quickstart,hash16,sort")
    ap.add_argument("--work", default=None, help="data and outputs (default: a temp dir)")
    ap.add_argument("--cli", default="build/src/smallpond", help="for `generate gensort`")
    args = ap.parse_args()

    work = args.work or tempfile.mkdtemp(prefix="smallpond-compare-")
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, "workload.py"), "w") as f:
        f.write(WORKLOAD)
    data = make_data(work, args.rows, args.records, os.path.abspath(args.cli))
    # One cluster for both sides: the original venv's Ray (the same version as this one's), with
    # smallpond_cpp on its workers' path too, so that either side's tasks run on its workers.
    import smallpond_cpp
    ray = os.path.join(os.path.dirname(args.original_python), "ray")
    temp = tempfile.mkdtemp(prefix="ray-", dir="/tmp")
    package_path = os.path.dirname(os.path.dirname(os.path.abspath(smallpond_cpp.__file__)))
    address = start_ray(ray, temp, args.cpus, package_path)
    env = dict(ray_env(), RAY_ADDRESS=address, PYTHONPATH=package_path)
    sides = [("smallpond", args.original_python), ("smallpond_cpp", sys.executable)]
    print(f"Ray head {address} with {args.cpus} CPUs; {args.rows} price rows, "
          f"{args.records} gensort records; best of {args.repeat}")
    print(f"{'workload':<11} {'original job':>12} {'cpp job':>9} {'ratio':>6} "
          f"{'original wall':>13} {'cpp wall':>9} {'ratio':>6}  results")
    try:
        for workload in args.workloads.split(","):
            best = {m: (float("inf"), float("inf")) for m, _ in sides}
            verdict = []
            for _ in range(args.repeat):
                for module, python in sides:
                    job, wall, out = run_side(python, module, workload, data[workload], work,
                                              address, env)
                    best[module] = (min(best[module][0], job), min(best[module][1], wall))
                    problem = check(workload, data[workload], out)
                    if problem:
                        verdict.append(f"{module}: {problem}")
            (oj, ow), (cj, cw) = best["smallpond"], best["smallpond_cpp"]
            result = "; ".join(sorted(set(verdict))) or "both equal DuckDB's"
            print(f"{workload:<11} {oj:>11.2f}s {cj:>8.2f}s {oj / cj:>6.2f} {ow:>12.2f}s "
                  f"{cw:>8.2f}s {ow / cw:>6.2f}  {result}", flush=True)
    finally:
        subprocess.run([ray, "stop", "--force"], env=ray_env(), capture_output=True, timeout=180)
        shutil.rmtree(temp, ignore_errors=True)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
