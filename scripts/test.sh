#!/usr/bin/env bash
# Builds everything and runs the whole test suite (ctest labels: unit, e2e, mpi, slurm, install,
# python: the pytest suite of the Python package, wheel: a wheel built and installed into a
# fresh venv).
# Extra arguments go to ctest, e.g. `scripts/test.sh -L unit`.
# As root, a one-node Slurm cluster is started for the slurm tests (scripts/slurm-local.sh) and
# stopped afterwards; SMALLPOND_TEST_SLURM=0 skips that (the slurm tests then skip themselves),
# and an exported SLURM_CONF is used as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
build_dir=${BUILD_DIR:-build}
slurm_local="$(pwd)/scripts/slurm-local.sh"

if [[ -z "${SLURM_CONF:-}" && "${SMALLPOND_TEST_SLURM:-1}" != 0 && $(id -u) -eq 0 ]]; then
  slurm_dir=$(mktemp -d /tmp/smallpond-slurm-XXXXXX)
  if bash "$slurm_local" start "$slurm_dir" >"$slurm_dir/start.log" 2>&1; then
    export SLURM_CONF="$slurm_dir/slurm.conf"
    trap 'bash "$slurm_local" stop "$slurm_dir" >/dev/null 2>&1; rm -rf "$slurm_dir"' EXIT
  else
    echo "test.sh: no local Slurm cluster (the slurm tests will skip):" >&2
    tail -n 5 "$slurm_dir/start.log" >&2 || true
    bash "$slurm_local" stop "$slurm_dir" >/dev/null 2>&1 || true
    rm -rf "$slurm_dir"
  fi
fi

cd "$build_dir"
ctest --output-on-failure -j "$(nproc)" "$@"
