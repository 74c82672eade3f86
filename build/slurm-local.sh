#!/usr/bin/env bash
# A one-node Slurm on this machine, for the pipeline's slurm executor tests and for trying it out:
#   build/slurm-local.sh start    install (Debian: slurm-wlm, munge) if missing, write the config, start munged,
#                                 slurmctld and slurmd, wait until the node accepts jobs; quick when already up
#   build/slurm-local.sh stop     stop the three daemons (only those started from this config)
#   build/slurm-local.sh status   exit 0 when a job can be submitted now
# Needs root. No systemd: the daemons are started directly (containers and CI machines have none). No cgroups either
# (containers rarely delegate them): processes are tracked by /proc (proctrack/linuxproc) and tasks are not bound.
# The config goes to /etc/slurm/slurm.conf, the default the clients (sbatch, squeue, scancel) read, unless one is
# there that this script did not write: then it stops rather than overwrite a real cluster's configuration.
set -euo pipefail

conf=/etc/slurm/slurm.conf
marker="# written by nsmt build/slurm-local.sh"
state=/var/spool/nsmt-slurm
log=/var/log/nsmt-slurm
action="${1:-start}"

say() { echo "slurm-local: $*"; }

ready() {
  # A node in state idle/mixed/allocated answers jobs; "timeout" guards a controller that hangs.
  timeout 5 sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated|completing)'
}

install() {
  if command -v slurmctld >/dev/null && command -v munged >/dev/null && command -v sbatch >/dev/null; then
    return
  fi

  say "installing slurm-wlm and munge"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge
}

write_config() {
  if [ -f "$conf" ] && ! grep -qF "$marker" "$conf"; then
    say "$conf exists and was not written by this script; not touching a real cluster's configuration" >&2
    exit 1
  fi

  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  # RealMemory must not exceed what slurmd finds, or the node is drained; leave headroom for the daemons.
  mem=$(awk '/MemTotal/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
  mkdir -p "$state/ctld" "$state/d" "$log" /etc/slurm
  local text
  text=$(cat <<EOF
$marker
ClusterName=nsmt-local
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$log/slurmctld.log
SlurmdLogFile=$log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=2
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=600
MpiDefault=none
GresTypes=gpu
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
)
  # Rewritten only when it changes (a running controller would need a restart for a new one).
  if [ ! -f "$conf" ] || [ "$(cat "$conf")" != "$text" ]; then
    printf '%s\n' "$text" > "$conf.tmp" && mv "$conf.tmp" "$conf"
    say "wrote $conf ($host, $cpus CPUs, $mem MB)"
    stop_daemons
  fi
  # slurmd 22.05 always loads a cgroup plugin (there is no "disabled" before 23.x), even though nothing here uses
  # cgroups (linuxproc tracking, no task binding, no accounting). autodetect fails where no cgroup file system is
  # mounted (many containers); the v1 plugin only loads, so it starts anywhere (checked with an empty
  # /sys/fs/cgroup in a mount namespace).
  local cgroup="$marker
CgroupPlugin=cgroup/v1"
  if [ -f /etc/slurm/cgroup.conf ] && ! grep -qF "$marker" /etc/slurm/cgroup.conf; then
    say "/etc/slurm/cgroup.conf exists and was not written by this script; leaving it"
  elif [ ! -f /etc/slurm/cgroup.conf ] || [ "$(cat /etc/slurm/cgroup.conf)" != "$cgroup" ]; then
    printf '%s\n' "$cgroup" > /etc/slurm/cgroup.conf
    stop_daemons
  fi
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_daemons() {
  for pidfile in "$state/slurmd.pid" "$state/slurmctld.pid"; do
    if running "$pidfile"; then
      kill "$(cat "$pidfile")"
      for _ in $(seq 50); do running "$pidfile" || break; sleep 0.1; done
    fi
    rm -f "$pidfile"
  done
}

start() {
  if [ "$(id -u)" -ne 0 ]; then
    say "needs root (it installs packages and starts daemons)" >&2
    exit 1
  fi

  install
  write_config
  if ready && running "$state/slurmctld.pid" && running "$state/slurmd.pid"; then
    say "already running"
    return
  fi

  # A munged that answers (procps' pgrep may be missing on a minimal machine, so ask munge itself).
  if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
    [ -f /etc/munge/munge.key ] || mungekey --create >/dev/null 2>&1 || /usr/sbin/create-munge-key -f
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    runuser -u munge -- /usr/sbin/munged
  fi

  running "$state/slurmctld.pid" || slurmctld || { say "slurmctld failed to start; see $log/slurmctld.log" >&2; tail -n 20 "$log/slurmctld.log" >&2; exit 1; }
  running "$state/slurmd.pid" || slurmd || { say "slurmd failed to start; see $log/slurmd.log" >&2; tail -n 20 "$log/slurmd.log" >&2; exit 1; }
  for _ in $(seq 150); do
    if ready; then
      say "up: $(sinfo -h -o '%N %c CPUs %m MB %T')"
      return
    fi
    # A node left down by an earlier unclean stop comes back once slurmd registers; nudge it.
    scontrol update nodename="$(hostname -s)" state=resume >/dev/null 2>&1 || true
    sleep 0.2
  done

  say "slurm did not become ready within 30 s; logs in $log" >&2
  tail -n 20 "$log/slurmctld.log" "$log/slurmd.log" >&2 || true
  exit 1
}

case "$action" in
  start) start ;;
  stop) stop_daemons; say "stopped" ;;
  status) if ready; then sinfo; else say "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
