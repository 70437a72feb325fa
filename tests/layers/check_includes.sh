#!/usr/bin/env bash
# Fails when an #include runs up the layers of docs/architecture.md: a file in src/<layer>/ may
# include the headers of its own layer and of the layers below it, and of the public headers
# only those of the bottom (value types, errors, options), not the API's.
#
#   check_includes.sh SOURCE_ROOT
set -euo pipefail
root=${1:?usage: check_includes.sh SOURCE_ROOT}

# Bottom to top; a layer may include from any layer before it.
layers=(types common io dataset engine plan logical planner exec driver pipeline api datagen cli)
# Public headers that belong to the API layer (the rest are the bottom's).
api_headers="dataframe.h session.h nodes.h smallpond.h"

rank() {
  local i
  for i in "${!layers[@]}"; do
    [[ ${layers[$i]} == "$1" ]] && { echo "$i"; return; }
  done
  echo -1
}

status=0
checked=0
while IFS= read -r file; do
  rel=${file#"$root"/src/}
  layer=${rel%%/*}
  own=$(rank "$layer")
  if [[ $own -lt 0 ]]; then
    echo "$rel: folder '$layer' is not a layer of docs/architecture.md"
    status=1
    continue
  fi
  checked=$((checked + 1))
  while IFS= read -r line; do
    number=${line%%:*}
    target=$(sed -E 's/^[0-9]+:#include [<"]([^">]+)[">].*/\1/' <<<"$line")
    dir=${target%%/*}
    if [[ $dir == smallpond && $target != */*/* ]]; then
      header=${target#smallpond/}
      if [[ " $api_headers " == *" $header "* && $own -lt $(rank api) ]]; then
        echo "$rel:$number: includes <$target>, the API's header, from layer '$layer' below it"
        status=1
      fi
      continue
    fi
    if [[ $target == duckdb* && $layer != engine ]]; then
      echo "$rel:$number: includes DuckDB's header outside the engine"
      status=1
      continue
    fi
    [[ $target == */* ]] || continue
    other=$(rank "$dir")
    [[ $other -lt 0 ]] && continue  # a third-party header (CLI/CLI.hpp, nlohmann/json.hpp, ...)
    if [[ $other -gt $own ]]; then
      echo "$rel:$number: includes \"$target\": layer '$layer' may not use '$dir' above it"
      status=1
    fi
  done < <(grep -nE '^#include [<"]' "$file" || true)
done < <(find "$root/src" -name '*.cpp' -o -name '*.h' | sort)

# The public headers include only public headers, and the bottom's only the bottom's.
for file in "$root"/include/smallpond/*.h; do
  name=$(basename "$file")
  while IFS= read -r line; do
    target=$(sed -E 's/^[0-9]+:#include [<"]([^">]+)[">].*/\1/' <<<"$line")
    if [[ $target == */* && $target != smallpond/* && $target != nlohmann/* ]]; then
      echo "include/smallpond/$name: includes <$target>: public headers include no private ones"
      status=1
    fi
    header=${target#smallpond/}
    if [[ $target == smallpond/* && " $api_headers " == *" $header "* &&
          " $api_headers " != *" $name "* ]]; then
      echo "include/smallpond/$name: includes <$target>, the API's, from a bottom header"
      status=1
    fi
  done < <(grep -nE '^#include [<"]' "$file" || true)
done

[[ $checked -gt 50 ]] || { echo "only $checked files checked: is $root the source root?"; exit 1; }
[[ $status -eq 0 ]] && echo "includes of $checked files run down the layers"
exit $status
