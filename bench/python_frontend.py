"""The Python front end, measured side by side in one run on the same data.

  frontend:  the quick start (read_parquet -> repartition(3, hash_by="ticker") -> GROUP BY ->
             write_parquet) as a program through the C++ API (`smallpond run` of a pipeline
             file) and as a Python script through smallpond_cpp, each a fresh process (start,
             executors, job, exit), sides alternating; prints the best of each and the ratio.
  functions: per-row cost of Python functions in the plan, smallpond_cpp against the original
             smallpond 0.15.0 (a venv of its own: bench/original-venv.sh) running the same
             script on the same files: map(lambda) over rows and map_batches over pyarrow
             tables, each against SQL map of the same expression as the baseline.

Usage (from the repository root, the package built by scripts/build.sh):
  PYTHONPATH=build/python python bench/python_frontend.py [--rows N] [--repeat R]
      [--original-python $(bash bench/original-venv.sh | tail -1)]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time

QUICKSTART_YAML = """steps:
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

QUICKSTART_PY = """
import sys
import smallpond_cpp as smallpond
sp = smallpond.init(job_dir=sys.argv[3], num_executors=2, progress=False)
df = sp.read_parquet(sys.argv[1] + "/*.parquet").repartition(3, hash_by="ticker")
df = sp.partial_sql("SELECT ticker, min(price) AS lo, max(price) AS hi, count(*) AS n "
                    "FROM {0} GROUP BY ticker", df)
df.write_parquet(sys.argv[2])
"""

# The same script for both packages: only the import differs (argv[1] names the module).
FUNCTIONS_PY = """
import importlib, json, sys, time
import pyarrow as pa
import pyarrow.compute as pc
smallpond = importlib.import_module(sys.argv[1])
data, out, root = sys.argv[2], sys.argv[3], sys.argv[4]
if sys.argv[1] == "smallpond_cpp":
    sp = smallpond.init(data_root=root, num_executors=2, progress=False)
else:
    sp = smallpond.init(data_root=root)
df = sp.read_parquet(data + "/*.parquet").repartition(2)
jobs = {
    "sql map": lambda: df.map("item * 2 AS x"),
    "map(lambda)": lambda: df.map(lambda r: {"x": r["item"] * 2}),
    "map_batches": lambda: df.map_batches(lambda t: pa.table({"x": pc.multiply(t["item"], 2)})),
}
times = {}
for name, make in jobs.items():
    best = float("inf")
    for i in range(int(sys.argv[5])):
        start = time.perf_counter()
        frame = make()
        if sys.argv[1] == "smallpond_cpp":
            frame = frame.recompute()  # not the output of the previous round (resume)
        frame.write_parquet(f"{out}/{name.replace(' ', '_')}_{i}")
        best = min(best, time.perf_counter() - start)
    times[name] = best
print("RESULT " + json.dumps(times))
"""


def run(cmd, env=None):
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - start, done.stdout


def same_output(a, b):
    import duckdb

    q = "SELECT * FROM '{}/*.parquet' ORDER BY ALL"
    return duckdb.sql(q.format(a)).fetchall() == duckdb.sql(q.format(b)).fetchall()


def frontend(args, work):
    data = f"{work}/prices"
    run([f"{args.build}/src/smallpond", "generate", "prices", data, "--rows", str(args.rows),
         "--files", "6", "--tickers", "2000"])
    yaml = f"{work}/quickstart.yaml"
    script = f"{work}/quickstart.py"
    open(script, "w").write(QUICKSTART_PY)
    best = {"C++ (smallpond run)": float("inf"), "Python (smallpond_cpp)": float("inf")}
    env = dict(os.environ)
    for i in range(args.repeat):
        for side in best:
            out, job = f"{work}/out-{i}-{len(side)}", f"{work}/job-{i}-{len(side)}"
            if side.startswith("C++"):
                open(yaml, "w").write(QUICKSTART_YAML.format(data=data, out=out))
                seconds, _ = run([f"{args.build}/src/smallpond", "run", yaml, "--job-dir", job,
                                  "--executors", "2", "--quiet", "--no-sandbox"], env)
            else:
                seconds, _ = run([sys.executable, script, data, out, job], env)
            best[side] = min(best[side], seconds)
    equal = same_output(f"{work}/out-0-{len('C++ (smallpond run)')}",
                        f"{work}/out-0-{len('Python (smallpond_cpp)')}")
    print(f"\nfrontend: the quick start, {args.rows} rows, 2 executors, best of {args.repeat} "
          "(a fresh process each)")
    for side, seconds in best.items():
        print(f"  {side:24s} {seconds:7.3f} s")
    ratio = best["Python (smallpond_cpp)"] / best["C++ (smallpond run)"]
    print(f"  Python / C++            {ratio:7.3f}   outputs equal: {equal}")


def functions(args, work):
    import duckdb

    data = f"{work}/items"
    os.makedirs(data)
    for f in range(4):
        rows = args.function_rows // 4
        duckdb.sql(f"COPY (SELECT i AS item FROM range({f * rows}, {(f + 1) * rows}) t(i)) "
                   f"TO '{data}/items-{f}.parquet' (FORMAT parquet)")
    script = f"{work}/functions.py"
    open(script, "w").write(FUNCTIONS_PY)
    sides = [("smallpond_cpp", sys.executable)]
    if args.original_python:
        sides.append(("smallpond", args.original_python))
    results = {}
    for module, python in sides:
        env = dict(os.environ)
        if module == "smallpond":
            env.pop("PYTHONPATH", None)
        _, out = run([python, script, module, data, f"{work}/fn-out-{module}",
                      f"{work}/fn-root-{module}", str(args.repeat)], env)
        line = [l for l in out.splitlines() if l.startswith("RESULT ")][-1]
        results[module] = json.loads(line[len("RESULT "):])
    n = args.function_rows
    print(f"\nfunctions: {n} rows in 4 files, repartition(2), write_parquet, best of "
          f"{args.repeat}; per row = (job - the same job as SQL map) / rows")
    print(f"  {'job':14s}" + "".join(f"{m:>28s}" for m, _ in sides))
    for job in ("sql map", "map(lambda)", "map_batches"):
        cells = ""
        for module, _ in sides:
            t = results[module][job]
            extra = "" if job == "sql map" else \
                f" ({(t - results[module]['sql map']) / n * 1e6:6.2f} us/row)"
            cells += f"{t:12.3f} s{extra:>15s}"
        print(f"  {job:14s}{cells}")
    if len(sides) == 2:
        for job in ("map(lambda)", "map_batches"):
            mine = results["smallpond_cpp"][job] - results["smallpond_cpp"]["sql map"]
            theirs = results["smallpond"][job] - results["smallpond"]["sql map"]
            print(f"  {job}: per-row cost smallpond_cpp / smallpond 0.15.0 = "
                  f"{mine / theirs if theirs > 0 else float('nan'):.3f}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", default="build")
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--function-rows", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--original-python", help="python of a venv with smallpond 0.15.0")
    p.add_argument("--only", choices=["frontend", "functions"])
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="smallpond-pybench-")
    try:
        if args.only in (None, "frontend"):
            frontend(args, work)
        if args.only in (None, "functions"):
            functions(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
