#!/usr/bin/env bash
# Packs the benchmark programs (and the smallpond command) with every shared library they load except the C library's own
# (libc, libm, libpthread, libdl, the loader: those of a newer system serve older programs), so
# that they run on another x86-64 Linux machine with that glibc or a newer one:
#
#   bench/pack.sh [BUILD_DIR] OUT.tar.gz
#
# Unpack the archive at /tmp/smallpond-bench (the programs' library path points there) and run /tmp/smallpond-bench/bin/<bench> ...; executors are copies of the program, so
# they load the same libraries.
set -euo pipefail
build=${2:+$1}
build=${build:-build}
out=${2:-$1}
root=/tmp/smallpond-bench
command -v patchelf >/dev/null || { echo "pack.sh: patchelf is missing (scripts/setup.sh installs it)" >&2; exit 2; }
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib"
for program in bench/graysort_bench bench/scaling_bench bench/shuffle_bench bench/scheduler_sim \
  bench/bucket_writers_bench \
  src/smallpond; do
  [ -x "$build/$program" ] || continue
  b=$(basename "$program")
  strip -o "$stage/bin/$b" "$build/$program"
  # Every library the program loads, found as this machine finds them.
  ldd "$build/$program" | awk '/=>/ {print $3}' | while read -r lib; do
    name=$(basename "$lib")
    case "$name" in libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | ld-linux*) continue ;; esac
    [ -f "$stage/lib/$name" ] || strip -o "$stage/lib/$name" "$lib"
  done
  # DT_RPATH (not RUNPATH): it applies to the libraries' own dependencies too.
  patchelf --force-rpath --set-rpath "$root/lib" "$stage/bin/$b"
done
tar -C "$stage" -czf "$out" bin lib
echo "packed $(ls "$stage/bin" | tr '\n' ' ')into $out ($(du -h "$out" | cut -f1)); unpack at $root" >&2
