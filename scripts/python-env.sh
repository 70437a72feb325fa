#!/usr/bin/env bash
# Makes the Python environment that builds and tests the Python package (smallpond_cpp): a
# venv outside the repository with the pinned packages of python/requirements-dev.txt,
# re-made when that file changes. Prints the venv's python as its last line.
#   SMALLPOND_PYTHON  the interpreter to make the venv from (default: python3)
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE_DIR=${SMALLPOND_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/smallpond-cpp}
base_python=${SMALLPOND_PYTHON:-python3}
version=$("$base_python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
venv="$CACHE_DIR/python-$version"
requirements=python/requirements-dev.txt
stamp=$(sha256sum "$requirements" | cut -c1-16)

log() { echo "[python-env] $*" >&2; }

# The stamp is written last: a venv without it (an interrupted install) is made again.
if [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$stamp" ]; then
  log "making $venv (Python $version) from $requirements"
  rm -rf "$venv"
  "$base_python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  echo "$stamp" >"$venv/.requirements"
fi
echo "$venv/bin/python"
