#!/usr/bin/env bash
# The main job: build, generate the sample "prices" dataset if it is not there, and run the
# smallpond quick start on it (read Parquet -> hash-repartition by ticker into 3 partitions ->
# per-partition min/max price -> write Parquet), printing the result.
set -euo pipefail
cd "$(dirname "$0")/.."
# Only what the quick start runs (the CLI and the example program), not the tests or benchmarks.
SMALLPOND_BUILD_PYTHON=${SMALLPOND_BUILD_PYTHON:-0} TARGETS="${TARGETS:-smallpond quickstart}" bash scripts/build.sh
build_dir=${BUILD_DIR:-build}
"$build_dir/src/smallpond" generate prices data/prices --rows 3000000 --files 6 --tickers 2000
"$build_dir/examples/quickstart" data/prices output/quickstart
