#!/usr/bin/env bash
# A lambda that captures a variable cannot be a plan function: the compiler says why and what
# to do instead (parameters), rather than a page of overload errors.
#   capturing_lambda.sh CXX SOURCE_DIR
set -euo pipefail
cxx=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/capture.cpp" <<'CPP'
#include <smallpond/smallpond.h>
int main() {
  auto sp = smallpond::init();
  double rate = 2;
  sp.read_parquet("x").map([rate](const smallpond::Row& r) {
    smallpond::Row out;
    out["y"] = smallpond::Value(r["x"].as_double() * rate);
    return out;
  });
}
CPP
if "$cxx" -std=c++20 -fsyntax-only -I "$root/include" "$work/capture.cpp" 2>"$work/log"; then
  echo "a capturing lambda compiled"
  exit 1
fi
if ! grep -q "pass values as parameters: map(fn, params)" "$work/log"; then
  echo "the error does not say what to do:"
  cat "$work/log"
  exit 1
fi
echo "refused with the hint"
