#!/usr/bin/env bash
# Builds smallpond-cpp in Release mode and runs the shuffle benchmark:
#   bench/run.sh [shuffle_bench options]     e.g. bench/run.sh --rows 2000000 --repeat 3
# BUILD_DIR (default build-release, relative to the repository root) is where it builds.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD_DIR=${BUILD_DIR:-build-release}

duckdb_root=$(bash scripts/setup.sh | tail -n 1)
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSMALLPOND_BUILD_TESTS=OFF \
  -DSMALLPOND_BUILD_BENCH=ON -DDUCKDB_ROOT="$duckdb_root" >&2
cmake --build "$BUILD_DIR" --target shuffle_bench >&2
exec "$BUILD_DIR/bench/shuffle_bench" "$@"
