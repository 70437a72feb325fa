#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), then configures and builds smallpond-cpp.
#   BUILD_DIR   build directory (default: build)
#   BUILD_TYPE  CMake build type (default: RelWithDebInfo)
#   TARGETS     what to build, e.g. "smallpond" (default: everything: tests, examples, benchmarks)
# Extra arguments go to cmake's configure step (e.g. -DSMALLPOND_SANITIZE=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
duckdb_root=$(bash scripts/setup.sh | tail -n 1)
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DDUCKDB_ROOT="$duckdb_root" "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" ${TARGETS:+--target $TARGETS}
