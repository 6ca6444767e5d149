#!/usr/bin/env bash
# Cluster test: start a single-node SLURM cluster on this machine (Debian, as root), run the
# workflow through the SLURM executor with profiles/slurm (pytest marker "cluster"), and always
# stop the daemons again, by pid, whatever happened.
set -euo pipefail
cd "$(dirname "$0")/.."

make install
trap 'tests/cluster/slurm_down.sh' EXIT
tests/cluster/slurm_up.sh
# The test bounds its Snakemake run itself; this bounds everything else.
LITHOFLOW_REQUIRE_SLURM=1 timeout --signal=INT --kill-after=60 1200 \
    .venv/bin/pytest -m cluster tests/cluster
