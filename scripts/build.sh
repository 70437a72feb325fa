#!/usr/bin/env bash
# Installs what is missing (scripts/setup.sh), then configures and builds smallpond-cpp.
#   BUILD_DIR   build directory (default: build)
#   BUILD_TYPE  CMake build type (default: RelWithDebInfo)
#   SMALLPOND_BUILD_PYTHON  0: not the Python package (default: built, in a venv of
#               scripts/python-env.sh)
#   TARGETS     what to build, e.g. "smallpond" (default: everything: tests, examples, benchmarks)
# Extra arguments go to cmake's configure step (e.g. -DSMALLPOND_SANITIZE=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
duckdb_root=$(bash scripts/setup.sh | tail -n 1)
# The Python package too, unless SMALLPOND_BUILD_PYTHON=0.
python_args=()
if [ "${SMALLPOND_BUILD_PYTHON:-1}" != 0 ]; then
  python=$(bash scripts/python-env.sh | tail -n 1)
  python_args=(-DSMALLPOND_BUILD_PYTHON=ON -DPython_EXECUTABLE="$python")
fi
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DDUCKDB_ROOT="$duckdb_root" "${python_args[@]}" "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" ${TARGETS:+--target $TARGETS}
