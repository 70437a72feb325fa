#!/usr/bin/env bash
# A venv with the original Python smallpond 0.15.0, for side-by-side benchmarks only (nothing
# of it is used by smallpond-cpp). DuckDB is pinned to 1.4.4 (smallpond 0.15.0 imports
# duckdb.typing, which DuckDB 2 no longer has), the version smallpond-cpp embeds. Prints the
# venv's python as its last line. Ray is pinned to the dev venv's version
# (python/requirements-dev.txt), so that both sides can share one Ray cluster
# (bench/compare_smallpond.py).
set -euo pipefail
CACHE_DIR=${SMALLPOND_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/smallpond-cpp}
venv="$CACHE_DIR/original-smallpond-0.15.0"
if [ ! -f "$venv/.complete" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    smallpond==0.15.0 duckdb==1.4.4 ray==2.60.0 >&2
  touch "$venv/.complete"
fi
echo "$venv/bin/python"
