"""Projection and predicate pushdown into the shuffles of a join, side by side in one run.

Two wide tables (a fact table of N rows and 8 columns, a dimension of N/4 rows and 5 columns,
md5 strings and padding among them), each repartitioned by its key into P partitions, then
joined per partition by a query that reads 4 columns of the first and 2 of the second and keeps
about half of the first's rows (WHERE f.b < 500):

  pushdown: smallpond_cpp with its optimizer (each shuffle carries only the columns the join
            reads, and the fact table's only the rows its WHERE condition keeps)
  all:      the same job with optimize=False (each shuffle carries every column)
  duckdb:   DuckDB alone, the same query over the unpartitioned files, 2 threads

Runs alternate; the best of each is printed with the ratios, and every output is checked against
DuckDB's (row count and a sum of row hashes).

Usage (from the repository root, the package built by scripts/build.sh):
  PYTHONPATH=build/python python bench/join_pushdown.py [--rows N] [--partitions P] [--repeat R]
"""
import argparse
import os
import shutil
import tempfile
import time

import duckdb

import smallpond_cpp as smallpond

QUERY = ("SELECT f.k, f.a, d.x, f.c + d.x AS cx FROM {0} f JOIN {1} d ON f.k = d.k "
         "WHERE f.b < 500")


def generate(data: str, rows: int) -> None:
    if os.path.isdir(data):
        return
    tmp = data + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp + "/fact")
    os.makedirs(tmp + "/dim")
    con = duckdb.connect()
    files = 8
    per = rows // files
    for f in range(files):
        con.execute(
            f"COPY (SELECT i % {rows // 4} AS k, i AS a, hash(i) % 1000 AS b, i * 0.5 AS c, "
            f"md5(i::VARCHAR) AS h1, md5((i + 1)::VARCHAR) AS h2, repeat('x', 40) AS pad, "
            f"(hash(i, 3) % 100000)::INTEGER AS e FROM range({f * per}, {(f + 1) * per}) r(i)) "
            f"TO '{tmp}/fact/part-{f}.parquet' (FORMAT parquet)")
    con.execute(
        f"COPY (SELECT i AS k, i % 97 AS x, md5(i::VARCHAR) AS h3, repeat('y', 40) AS pad2, "
        f"i * 2 AS z FROM range({rows // 4}) r(i)) TO '{tmp}/dim/part-0.parquet' (FORMAT parquet)")
    os.rename(tmp, data)


def digest(con, relation: str):
    return con.execute(f"SELECT count(*), sum(hash(k, a, x, cx)) FROM {relation}").fetchone()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=5_000_000)
    ap.add_argument("--partitions", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    data = os.path.abspath(f"bench/data/join-{args.rows}")
    generate(data, args.rows)
    work = tempfile.mkdtemp(prefix="join_pushdown-")
    fact, dim = data + "/fact/*.parquet", data + "/dim/*.parquet"
    truth_con = duckdb.connect()
    truth_con.execute("SET threads = 2")

    def run_smallpond(optimize: bool, out: str) -> float:
        sp = smallpond.init(job_dir=os.path.join(work, "job-" + str(optimize)), num_executors=2,
                            progress=False, optimize=optimize)
        start = time.monotonic()
        df = sp.partial_sql(QUERY, sp.read_parquet(fact).repartition(args.partitions, hash_by="k"),
                            sp.read_parquet(dim).repartition(args.partitions, hash_by="k"))
        df.write_parquet(out)
        seconds = time.monotonic() - start
        sp.shutdown()
        return seconds

    def run_duckdb(out: str) -> float:
        os.makedirs(out, exist_ok=True)
        query = QUERY.replace("{0}", f"read_parquet('{fact}')").replace(
            "{1}", f"read_parquet('{dim}')")
        start = time.monotonic()
        truth_con.execute(f"COPY ({query}) TO '{out}/out.parquet' (FORMAT parquet)")
        return time.monotonic() - start

    best = {"pushdown": float("inf"), "all": float("inf"), "duckdb": float("inf")}
    outs = {side: os.path.join(work, side) for side in best}
    for _ in range(args.repeat):
        for side in best:
            shutil.rmtree(outs[side], ignore_errors=True)
            shutil.rmtree(os.path.join(work, "job-True"), ignore_errors=True)
            shutil.rmtree(os.path.join(work, "job-False"), ignore_errors=True)
            if side == "duckdb":
                seconds = run_duckdb(outs[side])
            else:
                seconds = run_smallpond(side == "pushdown", outs[side])
            best[side] = min(best[side], seconds)
    truth = digest(truth_con, f"read_parquet('{outs['duckdb']}/*.parquet')")
    ok = True
    print(f"\njoin_pushdown: {args.rows} x 8 columns joined with {args.rows // 4} x 5 columns, "
          f"{args.partitions} partitions each, 2 executors; best of {args.repeat}")
    print(f"{'side':10s} {'seconds':>9s} {'/duckdb':>8s} {'/all':>6s}  check")
    for side in best:
        got = digest(truth_con, f"read_parquet('{outs[side]}/*.parquet')")
        same = got == truth
        ok = ok and same
        print(f"{side:10s} {best[side]:9.3f} {best[side] / best['duckdb']:8.2f} "
              f"{best[side] / best['all']:6.2f}  {'ok' if same else 'DIFFERS'} {got[0]} rows")
    shutil.rmtree(work, ignore_errors=True)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
