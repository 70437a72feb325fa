#!/usr/bin/env bash
# Installs what smallpond-cpp needs, idempotently:
#   - Debian packages (compiler tool chain, libraries, OpenMPI)
#   - DuckDB 1.4.4: the prebuilt libduckdb.so and its headers, from npm package tarballs,
#     verified against pinned integrity hashes and cached outside the repository.
# Prints the DuckDB root directory (include/ and lib/) as its last line.
set -euo pipefail

DUCKDB_VERSION=1.4.4
CACHE_DIR=${SMALLPOND_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/smallpond-cpp}
DUCKDB_DIR="$CACHE_DIR/duckdb-$DUCKDB_VERSION"

APT_PACKAGES=(g++ cmake ninja-build pkg-config libgtest-dev libbenchmark-dev
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libxxhash-dev
  libopenmpi-dev openmpi-bin openssl patchelf)

log() { echo "[setup] $*" >&2; }

install_apt_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  # npm usually comes with Node.js rather than from Debian; take Debian's only when there is none.
  command -v npm >/dev/null || missing+=(npm)
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >&2
  fi
}

# fetch PACKAGE@VERSION INTEGRITY -> prints the verified tarball path
fetch_npm_tarball() {
  local spec=$1 integrity=$2 dir="$CACHE_DIR/tarballs"
  mkdir -p "$dir"
  local name=${spec%@*}
  name=${name#@}
  name=${name//\//-}
  local version=${spec##*@}
  local file="$dir/$name-$version.tgz"
  if [ ! -f "$file" ]; then
    log "downloading $spec"
    (cd "$dir" && npm pack --silent "$spec" >/dev/null)
  fi
  local actual
  actual="sha512-$(openssl dgst -sha512 -binary "$file" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    rm -f "$file"
    log "integrity mismatch for $spec: expected $integrity, got $actual"
    exit 1
  fi
  echo "$file"
}

install_duckdb() {
  if [ -f "$DUCKDB_DIR/lib/libduckdb.so" ] && [ -f "$DUCKDB_DIR/include/duckdb.hpp" ]; then
    return
  fi
  local bindings bindings_integrity
  case "$(uname -m)" in
    x86_64)
      bindings=@duckdb/node-bindings-linux-x64@1.4.4-r.4
      bindings_integrity=sha512-jBTL/WvfwxLToFa/pVHfT6elMtltJGnc3wSuxZD9OfMltit9YUdVFS37vBFQzXMT1Z8OWjtSjMh+zPKxOwHLHA==
      ;;
    aarch64)
      bindings=@duckdb/node-bindings-linux-arm64@1.4.4-r.3
      bindings_integrity=sha512-qF2/WhB+i+8is60RrpTY/5ZnywIUayuBiVXSuQ4rrRn1m1gvfKqPvjySbiDjYgQo/6OXu/fax0KC1gXnNWoLEA==
      ;;
    *) log "no pinned DuckDB build for $(uname -m); pass -DDUCKDB_ROOT=..."; exit 1 ;;
  esac
  local lib_tgz hdr_tgz
  lib_tgz=$(fetch_npm_tarball "$bindings" "$bindings_integrity")
  hdr_tgz=$(fetch_npm_tarball duckdb@$DUCKDB_VERSION \
    sha512-hEJJ5hyVF0VLj3dmOLpsWrQR0b3d4Ykqtygm6iUXjHJDDnSqg/USKxcb5qvNrOhFYPgktayU6dXCtgPqcmmpog==)
  local tmp
  tmp=$(mktemp -d "$CACHE_DIR/.duckdb-XXXXXX")
  mkdir -p "$tmp/lib" "$tmp/include"
  tar xzf "$lib_tgz" -C "$tmp" package/libduckdb.so
  mv "$tmp/package/libduckdb.so" "$tmp/lib/"
  tar xzf "$hdr_tgz" -C "$tmp" package/src/duckdb/src/include
  cp -r "$tmp/package/src/duckdb/src/include/." "$tmp/include/"
  rm -rf "$tmp/package"
  rm -rf "$DUCKDB_DIR"
  mv "$tmp" "$DUCKDB_DIR" # publish atomically: a half-extracted tree is never used
  log "DuckDB $DUCKDB_VERSION installed in $DUCKDB_DIR"
}

install_apt_packages
install_duckdb
echo "$DUCKDB_DIR"
