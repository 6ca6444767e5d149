#!/usr/bin/env bash
# Start a single-node SLURM cluster on this machine for tests/cluster (Debian, run as root).
#
# Installs slurm-wlm and munge if missing, starts munged, writes /etc/slurm/slurm.conf and
# /etc/slurm/gres.conf (one fake GPU declared as a generic resource), starts slurmctld and
# slurmd as daemons with pid files, and waits until the node is idle. Partitions: `main`
# (default) and `gpu`. Idempotent: daemons already started by this script are left running.
# Stop everything with tests/cluster/slurm_down.sh.
#
# Environment:
#   LITHOFLOW_SLURM_STATE  folder for pid files, logs and spool (default /var/tmp/lithoflow-slurm)
#   LITHOFLOW_SLURM_FORCE  set to 1 to overwrite a slurm.conf not written by this script
set -euo pipefail

STATE="${LITHOFLOW_SLURM_STATE:-/var/tmp/lithoflow-slurm}"
FORCE="${LITHOFLOW_SLURM_FORCE:-0}"
CONF_DIR=/etc/slurm
MARKER="# written by lithoflow tests/cluster/slurm_up.sh"
FAKE_GPU=/dev/fake_gpu0
MUNGE_PID=/run/munge/munged.pid

log() { echo "slurm_up: $*" >&2; }
die() {
    log "ERROR: $*"
    exit 1
}

# True when the pid file names a live process.
alive() { [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

[[ $(id -u) -eq 0 ]] || die "must run as root (starts munged, slurmctld, slurmd)"

install_packages() {
    local missing=()
    command -v munged >/dev/null || missing+=(munge)
    command -v slurmctld >/dev/null || missing+=(slurm-wlm)
    command -v slurmd >/dev/null || missing+=(slurm-wlm)
    [[ ${#missing[@]} -eq 0 ]] && return 0
    command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them"
    log "installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" >"$STATE/apt-get.log" 2>&1 || {
        apt-get update >>"$STATE/apt-get.log" 2>&1
        apt-get install -y --no-install-recommends "${missing[@]}" >>"$STATE/apt-get.log" 2>&1 ||
            die "apt-get install failed, see $STATE/apt-get.log"
    }
}

start_munge() {
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    chmod 0755 /run/munge
    if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
        log "munged already running"
        return 0
    fi
    if [[ ! -s /etc/munge/munge.key ]]; then # the munge package normally creates it
        runuser -u munge -- mungekey --create >/dev/null 2>&1 ||
            die "no /etc/munge/munge.key and 'mungekey --create' failed"
    fi
    runuser -u munge -- /usr/sbin/munged --pid-file="$MUNGE_PID" </dev/null >/dev/null 2>&1 ||
        die "munged failed to start; see /var/log/munge/munged.log"
    cp "$MUNGE_PID" "$STATE/munged.pid"
    for _ in $(seq 50); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    die "munged did not answer; see /var/log/munge/munged.log"
}

write_file() { # path, content: refuses to replace a file this script did not write
    local path=$1 content=$2
    if [[ -e "$path" ]] && ! grep -qF "$MARKER" "$path" && [[ "$FORCE" != 1 ]]; then
        die "$path exists and was not written by this script; set LITHOFLOW_SLURM_FORCE=1 to replace it"
    fi
    printf '%s\n' "$content" >"$path"
}

write_config() {
    local host node_line
    host=$(hostname -s)
    # CPUs, sockets, cores and RealMemory exactly as slurmd detects them (never more memory).
    node_line=$(slurmd -C | head -n 1)
    [[ $node_line == NodeName=* ]] || die "unexpected 'slurmd -C' output: $node_line"
    [[ -e $FAKE_GPU ]] || mknod -m 666 "$FAKE_GPU" c 1 3 # same numbers as /dev/null
    mkdir -p "$CONF_DIR" "$STATE/ctld" "$STATE/spool" "$STATE/log"
    write_file "$CONF_DIR/slurm.conf" "$MARKER
ClusterName=lithoflow-test
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
SwitchType=switch/none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE/log/jobcomp.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
GresTypes=gpu
ReturnToService=2
# Finished jobs stay visible to squeue/scontrol for an hour: the executor's squeue status
# checks and the test's checks read them there (no slurmdbd).
MinJobAge=3600
MailProg=/bin/true
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
$node_line NodeAddr=127.0.0.1 Gres=gpu:1 State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=$host Default=NO MaxTime=INFINITE State=UP"
    write_file "$CONF_DIR/gres.conf" "$MARKER
AutoDetect=off
NodeName=$host Name=gpu File=$FAKE_GPU"
}

start_daemon() { # name: start slurmctld or slurmd unless running, check that it stays up
    local name=$1 pid_file="$STATE/$1.pid" args=()
    if alive "$pid_file"; then
        log "$name already running"
        return 0
    fi
    # slurmctld -c: start from a clean state (no jobs left over from an earlier cluster).
    [[ $name == slurmctld ]] && args=(-c)
    rm -f "$pid_file"
    "$name" "${args[@]}" </dev/null >/dev/null 2>&1 || die "$name failed; see $STATE/log/$name.log"
    for _ in $(seq 50); do
        alive "$pid_file" && break
        sleep 0.1
    done
    sleep 0.5 # a daemon that rejects its config exits right after writing its pid file
    alive "$pid_file" || die "$name exited; last log lines:
$(tail -n 5 "$STATE/log/$name.log" 2>/dev/null)"
}

wait_idle() {
    local host state="" deadline=$((SECONDS + 60))
    host=$(hostname -s)
    while ((SECONDS < deadline)); do
        alive "$STATE/slurmctld.pid" || die "slurmctld stopped; see $STATE/log/slurmctld.log"
        alive "$STATE/slurmd.pid" || die "slurmd stopped; see $STATE/log/slurmd.log"
        state=$(timeout 5 sinfo -h -N -n "$host" -o '%T' 2>/dev/null | head -n 1 || true)
        case "$state" in
        idle | mixed | allocated) return 0 ;;
        down* | drain*) scontrol update NodeName="$host" State=RESUME >/dev/null 2>&1 || true ;;
        esac
        sleep 0.5
    done
    die "node $host not idle after 60 s (state: ${state:-none}); see $STATE/log/"
}

mkdir -p "$STATE"
install_packages
start_munge
write_config
start_daemon slurmctld
start_daemon slurmd
wait_idle
log "cluster ready: $(sinfo -h -o '%P %a %D %T %G' | tr '\n' ';')"
