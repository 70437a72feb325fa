#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for trying `srun` (and the srun tests) without a
# real cluster. Debian/Ubuntu, as root, no systemd needed: munged, slurmctld and slurmd are
# started by hand with their configuration, state and logs under one directory.
#
#   scripts/slurm-local.sh [DIR]        install what is missing, start, wait until the node is idle
#   scripts/slurm-local.sh stop [DIR]   stop the daemons started from DIR
#
# DIR defaults to /tmp/smallpond-slurm. Running it again while the daemons run does nothing.
# Clients (srun, sinfo, ...) need SLURM_CONF=DIR/slurm.conf in their environment.
# Environment: SLURM_LOCAL_CPUS (CPUs the node announces, default 8: more tasks than cores are
# fine for tests).
set -euo pipefail

action=start
if [[ "${1:-}" == "stop" || "${1:-}" == "start" ]]; then
  action=$1
  shift
fi
dir=${1:-/tmp/smallpond-slurm}
cpus=${SLURM_LOCAL_CPUS:-8}

if [[ $(id -u) -ne 0 ]]; then
  echo "slurm-local.sh: needs root (the daemons run as root)" >&2
  exit 1
fi

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_one() {  # name pidfile
  if pid_alive "$2"; then
    local pid
    pid=$(cat "$2")
    kill "$pid"
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    echo "stopped $1 ($pid)"
  fi
  rm -f "$2"
}

if [[ "$action" == "stop" ]]; then
  stop_one slurmd "$dir/run/slurmd.pid"
  stop_one slurmctld "$dir/run/slurmctld.pid"
  stop_one munged "$dir/run/munged.pid"
  exit 0
fi

# --- packages ---------------------------------------------------------------------------------
need=()
for pkg in munge slurmctld slurmd slurm-client slurm-wlm-basic-plugins; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
  echo "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${need[@]}" ||
    { apt-get update && apt-get install -y --no-install-recommends "${need[@]}"; }
fi

# --- configuration ----------------------------------------------------------------------------
dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
mkdir -p "$dir/run" "$dir/log" "$dir/ctld" "$dir/spool" "$dir/munge"
chmod 700 "$dir/munge"
if [[ ! -f "$dir/munge/munge.key" ]]; then
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1 count=1024 status=none
fi
chmod 400 "$dir/munge/munge.key"

conf="$dir/slurm.conf"
cat >"$conf.new" <<EOF
ClusterName=local
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
SlurmctldPort=6817
SlurmdPort=6818
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/spool
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
if ! cmp -s "$conf.new" "$conf"; then mv "$conf.new" "$conf"; else rm "$conf.new"; fi
export SLURM_CONF="$conf"

# --- daemons ----------------------------------------------------------------------------------
if ! pid_alive "$dir/run/munged.pid"; then
  munged --force --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/munge/munged.seed"
fi
if ! pid_alive "$dir/run/slurmctld.pid"; then
  slurmctld -f "$conf"
fi
if ! pid_alive "$dir/run/slurmd.pid"; then
  slurmd -f "$conf" -N localhost
fi

for _ in $(seq 60); do
  state=$(sinfo -h -N -n localhost -o '%t' 2>/dev/null || true)
  if [[ "$state" == idle* || "$state" == mix* || "$state" == alloc* ]]; then
    echo "slurm is up: node localhost is $state, $cpus CPUs (config, state and logs in $dir)"
    echo "use it with:  export SLURM_CONF=$conf; srun -n 3 --mpi=pmix hostname"
    echo "stop it with: $0 stop $dir"
    exit 0
  fi
  sleep 1
done
echo "slurm-local.sh: the node did not become idle (state: '${state:-none}'); logs in $dir/log" >&2
sinfo -N -l >&2 || true
exit 1
