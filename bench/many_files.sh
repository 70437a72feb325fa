#!/usr/bin/env bash
# The driver's time and memory on inputs of very many files (smallpond's own test sizes):
#
#   bench/many_files.sh [BUILD_DIR]
#
#   1. `smallpond explain` of read_parquet(FILES files) -> repartition(PARTITIONS) -> sql ->
#      write_parquet: everything a run does before its first task (finding the files, reading
#      their fingerprints, planning, the job directory's index), and nothing after.
#   2. `smallpond run` of read_parquet(FILES files) -> repartition(SINK_PARTITIONS) ->
#      write_parquet(type: manifest): a manifest-only sink; its .MANIFEST.txt must list every
#      file once.
#
# FILES (default 1048576) copies of one small Parquet file are made once under DIR (default
# /tmp/smallpond-many-files/files) and kept for later runs. PARTITIONS defaults to 10000,
# SINK_PARTITIONS to 512. Each line printed: wall seconds, CPU seconds, peak memory (RSS of the
# driver process; executors are separate processes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=${1:-build}
smallpond=$(realpath "$build/src/smallpond")
files=${FILES:-1048576}
partitions=${PARTITIONS:-10000}
sink_partitions=${SINK_PARTITIONS:-512}
root=${DIR:-/tmp/smallpond-many-files}
data=$root/files
mkdir -p "$data"

# The files: one Parquet file of 10 rows, copied (a process per file would take hours).
if [ ! -f "$data/.complete-$files" ]; then
  rm -rf "$data" "$root/seed"
  mkdir -p "$data"
  "$smallpond" generate prices "$root/seed" --files 1 --rows 10 >/dev/null
  seed=$(ls "$root"/seed/*.parquet | head -n 1)
  python3 - "$seed" "$data" "$files" <<'EOF'
import os, sys
seed, data, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
body = open(seed, "rb").read()
for i in range(n):
    # 1024 files per directory, as large datasets are laid out; globbed recursively below.
    d = os.path.join(data, f"d{i // 1024:05d}")
    if i % 1024 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"part-{i:07d}.parquet"), "wb") as f:
        f.write(body)
EOF
  touch "$data/.complete-$files"
fi

measure() {  # label, command...: prints wall, CPU and the driver's peak memory
  local label=$1
  shift
  /usr/bin/time -f "$label: %e s wall, %U+%S s CPU, peak memory %M KB" "$@" >"$root/out.txt" \
    2>"$root/err.txt" || { cat "$root/err.txt" >&2; exit 1; }
  tail -n 1 "$root/err.txt"
}

cat >"$root/plan.yaml" <<EOF
steps:
  - name: items
    read_parquet: "$data/*/*.parquet"
  - name: parts
    repartition: {input: items, npartitions: $partitions}
  - name: counts
    sql: "SELECT count(*) AS n, sum(volume) AS volume FROM {0}"
    inputs: [parts]
  - name: save
    write_parquet: {input: counts, path: "$root/counts"}
EOF
rm -rf "$root/job-plan"
measure "explain: $files files into $partitions partitions" \
  "$smallpond" explain "$root/plan.yaml" --job-dir "$root/job-plan"
grep -c . "$root/out.txt" >/dev/null

cat >"$root/sink.yaml" <<EOF
steps:
  - name: items
    read_parquet: "$data/*/*.parquet"
  - name: parts
    repartition: {input: items, npartitions: $sink_partitions}
  - name: save
    write_parquet: {input: parts, path: "$root/manifest", type: manifest, overwrite: true}
EOF
rm -rf "$root/job-sink"
measure "run: $files files into a manifest sink of $sink_partitions partitions" \
  "$smallpond" run "$root/sink.yaml" --job-dir "$root/job-sink"
listed=$(wc -l <"$root/manifest/.MANIFEST.txt")
distinct=$(sort -u "$root/manifest/.MANIFEST.txt" | wc -l)
echo "manifest: $listed lines, $distinct distinct (expected $files)"
[ "$listed" = "$files" ] && [ "$distinct" = "$files" ]
