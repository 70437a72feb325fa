#!/usr/bin/env bash
# The wheel: `pip wheel .` builds one with libduckdb.so inside; installed into a fresh venv
# (nothing of the build tree on its path), it runs smallpond's quick start, whose output is
# compared with DuckDB run directly. Usage: wheel_test.sh SOURCE_DIR DEV_PYTHON
set -euo pipefail
src=$1
dev_python=$2
work=$(mktemp -d /tmp/smallpond-wheel-XXXXXX)
trap 'rm -rf "$work"' EXIT

# The dev venv has the build requirements: no download, no isolated build environment.
"$dev_python" -m pip wheel "$src" --no-deps --no-build-isolation --quiet -w "$work/dist"
wheel=$(ls "$work"/dist/smallpond_cpp-*.whl)
"$dev_python" -m zipfile -l "$wheel" | grep -q "smallpond_cpp/libduckdb.so" || { echo "no libduckdb.so in $wheel"; exit 1; }

"$dev_python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel"
module=$(ls "$work"/venv/lib/python*/site-packages/smallpond_cpp/_core*.so)
ldd "$module" | grep libduckdb | grep -q "$work/venv" || {
  echo "the installed module does not load its own libduckdb.so:"; ldd "$module"; exit 1; }

"$dev_python" - "$work/prices" <<'PY'
import sys, duckdb, os
os.makedirs(sys.argv[1])
for f in range(3):
    duckdb.sql(f"""COPY (SELECT 'T' || (i % 40)::VARCHAR AS ticker, (hash(i) % 10000) / 100.0 AS price
                 FROM range({f * 20000}, {(f + 1) * 20000}) t(i)) TO '{sys.argv[1]}/p{f}.parquet'""")
PY
(cd "$work" && env -u PYTHONPATH SP_DATA_ROOT="$work/root" SP_NUM_EXECUTORS=2 \
  "$work/venv/bin/python" "$src/tests/python/scripts/quickstart.py" "$work/prices" "$work/out" >/dev/null)

"$dev_python" - "$work" <<'PY'
import sys, duckdb
w = sys.argv[1]
q = "SELECT ticker, min(price) AS min_price, max(price) AS max_price FROM '{}' GROUP BY ALL ORDER BY ALL"
got = duckdb.sql(f"SELECT * FROM '{w}/out/*.parquet' ORDER BY ALL").fetchall()
expected = duckdb.sql(q.format(f"{w}/prices/*.parquet")).fetchall()
assert got == expected and len(got) == 40, (got[:3], expected[:3])
print("wheel: installed in a fresh venv, quick start equals DuckDB:", len(got), "rows")
PY
