#!/usr/bin/env bash
# A program outside this repository builds against the installed package, with CMake
# (find_package(smallpond), target smallpond::smallpond) and with pkg-config, and runs: both
# count the rows of a generated dataset exactly.
#   install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/installed" >/dev/null
# Moved after installing: the package must not refer to where it was installed (or built).
mv "$work/installed" "$work/prefix"
"$work/prefix/bin/smallpond" generate prices "$work/prices" --rows 20000 --files 3 --tickers 50 2>/dev/null
expect=$'tickers: 50\nrows: 20000'

cmake -S "$source/examples/outside_project" -B "$work/cmake-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
got=$(cd "$work" && "$work/cmake-build/tickers" "$work/prices" 2>/dev/null)
[[ "$got" == "$expect" ]] || { echo "find_package build printed: $got"; exit 1; }

flags=$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs smallpond)
# shellcheck disable=SC2086
g++ -std=c++17 "$source/examples/outside_project/main.cpp" $flags -o "$work/tickers-pc"
got=$(cd "$work" && "$work/tickers-pc" "$work/prices" 2>/dev/null)
[[ "$got" == "$expect" ]] || { echo "pkg-config build printed: $got"; exit 1; }
echo "installed package: CMake and pkg-config builds both right"
