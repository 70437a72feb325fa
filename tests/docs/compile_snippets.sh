#!/usr/bin/env bash
# Every C++ snippet (```cpp block) of README.md and docs/*.md compiles against the public
# headers: a reader who copies one gets a program, not an error.
#   compile_snippets.sh CXX SOURCE_DIR
set -euo pipefail
cxx=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count=0
failed=0
for doc in "$root/README.md" "$root"/docs/*.md; do
  # Writes each block to its own file: <name>-<line>.cpp
  awk -v out="$work/$(basename "$doc" .md)" '
    /^```(cpp|c\+\+)[[:space:]]*$/ { inside = 1; file = out "-" NR ".cpp"; next }
    /^```/ && inside { inside = 0; close(file); next }
    inside { print > file }
  ' "$doc"
done
for snippet in "$work"/*.cpp; do
  [[ -e "$snippet" ]] || continue
  count=$((count + 1))
  if ! "$cxx" -std=c++20 -fsyntax-only -Wall -I "$root/include" "$snippet" 2>"$snippet.log"; then
    failed=$((failed + 1))
    echo "snippet $(basename "$snippet" .cpp) (file-line) does not compile:"
    cat "$snippet.log"
  fi
done
echo "$count snippets, $failed failed"
[[ $count -gt 0 && $failed -eq 0 ]]
