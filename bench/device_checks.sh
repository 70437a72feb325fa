#!/usr/bin/env bash
# The multi-core checks (scaling to 16 executors, the 10M sort, the shuffle) as one script, for
# a machine that is lent for minutes and has nothing installed:
#
#   bench/pack.sh build bench.tar.gz                  here: the programs and their libraries
#   bash bench/device_checks.sh bench.tar.gz OUT_DIR  there: each check's output in
#                                                     OUT_DIR/<check>.txt, a summary on stdout
#
# The most wanted checks run first, each under a time limit, so that a machine taken back early
# still leaves them. About 4 minutes on 16 cores, data generation included. SMALL=1 runs the same
# checks on small inputs, to try the script on any machine.
set -uo pipefail
archive=${1:?usage: device_checks.sh ARCHIVE OUT_DIR}
out=${2:?usage: device_checks.sh ARCHIVE OUT_DIR}
root=/tmp/smallpond-bench  # where bench/pack.sh's programs look for their libraries
data=${DATA_DIR:-/tmp/smallpond-data}
work=${WORK_DIR:-/tmp/smallpond-work}
mkdir -p "$out" "$data" "$work" "$root"
tar -C "$root" -xzf "$archive" || exit 2
bin=$root/bin

if [ "${SMALL:-0}" = 1 ]; then
  big=2000000 mid=1000000 sort=200000 shuffle=1000000
else
  big=200000000 mid=20000000 sort=10000000 shuffle=50000000
fi
executors=16

check() {  # check NAME SECONDS COMMAND...
  local name=$1 limit=$2
  shift 2
  local start=$SECONDS
  echo "== $name: ${*#"$bin/"}"
  timeout "$limit" "$@" >"$out/$name.txt" 2>&1
  local rc=$?
  tail -n 12 "$out/$name.txt"
  echo "-- $name: exit $rc after $((SECONDS - start)) s"
}

{
  echo "cores: $(nproc)"
  grep -m1 "model name" /proc/cpuinfo
  free -g | head -2
} | tee "$out/machine.txt"
check scaling-$((big / 1000000))m 360 "$bin/scaling_bench" --rows "$big" \
  --data "$data/prices-big" --work "$work" --executors 1,4,$executors
check graysort 300 "$bin/graysort_bench" --records "$sort" --executors "$executors" --repeat 2 \
  --data "$data/gensort" --work "$work"
check scaling-$((mid / 1000000))m 120 "$bin/scaling_bench" --rows "$mid" \
  --data "$data/prices-mid" --work "$work" --executors 1,4,8,$executors
check shuffle 240 "$bin/shuffle_bench" --rows "$shuffle" --executors "$executors" --repeat 2 \
  --data "$data/prices-shuffle" --work "$work"
check jobs 90 "$bin/scaling_bench" --jobs 20 --data "$data/prices-small" --work "$work"
check tiny-tasks 90 "$bin/scaling_bench" --tiny-tasks 20000 --work "$work"
check bucket-writers 120 "$bin/bucket_writers_bench" --input "$data/prices-shuffle/*.parquet" \
  --key ticker --threads "$executors" --work "$work/buckets" --repeat 2
