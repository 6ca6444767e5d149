#!/usr/bin/env bash
# Stop the daemons that tests/cluster/slurm_up.sh started, by pid (slurmd, slurmctld, munged),
# and remove the slurm.conf/gres.conf it wrote: with a slurm.conf but no controller, every SLURM
# client call (and so every `snakemake` start, whose SLURM plugin calls `scontrol show config`)
# waits ~10 s for the controller. Safe to run when nothing is running. Logs stay in the state
# folder for inspection.
set -uo pipefail

STATE="${LITHOFLOW_SLURM_STATE:-/var/tmp/lithoflow-slurm}"
MARKER="# written by lithoflow tests/cluster/slurm_up.sh"

stop_pid_file() { # name, pid file
    local name=$1 pid_file=$2 pid
    [[ -s "$pid_file" ]] || return 0
    pid=$(cat "$pid_file")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "slurm_down: $name ($pid) ignored SIGTERM for 10 s, sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
        echo "slurm_down: stopped $name ($pid)" >&2
    fi
    rm -f "$pid_file"
}

# Jobs still running belong to this throwaway cluster: cancel them before stopping slurmd.
if [[ -s "$STATE/slurmctld.pid" ]] && kill -0 "$(cat "$STATE/slurmctld.pid")" 2>/dev/null; then
    scancel --quiet --user "$(id -un)" 2>/dev/null || true
fi
stop_pid_file slurmd "$STATE/slurmd.pid"
stop_pid_file slurmctld "$STATE/slurmctld.pid"
# munged only if slurm_up.sh started it (its copy of the pid file says so).
stop_pid_file munged "$STATE/munged.pid"
for conf in /etc/slurm/slurm.conf /etc/slurm/gres.conf; do
    if [[ -f $conf ]] && grep -qF "$MARKER" "$conf"; then
        rm -f "$conf"
    fi
done
exit 0
