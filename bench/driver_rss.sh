#!/usr/bin/env bash
# The driver's peak memory while a pipeline runs (executors are separate processes):
#
#   bench/driver_rss.sh SMALLPOND_BINARY PIPELINE.yaml [JOB_DIR]
#
# Runs `smallpond run PIPELINE --job-dir JOB_DIR` (default: job-rss beside the pipeline,
# emptied first), reads the driver's VmRSS every 0.5 s, and prints its exit status, the peak
# and the wall time. bench/many_files.sh makes the million-file pipeline this was used with.
set -uo pipefail
bin=$(realpath "$1")
pipeline=$(realpath "$2")
job=${3:-$(dirname "$pipeline")/job-rss}
rm -rf "$job"
start=$(date +%s.%N)
"$bin" run "$pipeline" --job-dir "$job" --quiet >/dev/null 2>"$job.err" &
driver=$!
peak=0
while kill -0 "$driver" 2>/dev/null; do
  rss=$(awk '/VmRSS/{print $2}' "/proc/$driver/status" 2>/dev/null)
  [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
  sleep 0.5
done
wait "$driver"
rc=$?
end=$(date +%s.%N)
echo "rc=$rc driver peak $((peak / 1024)) MB wall $(echo "$end - $start" | bc) s"
[ "$rc" -eq 0 ] || tail -n 5 "$job.err"
exit "$rc"
