"""The workflow up to its classifiers, on a tiny simulated dataset, through the SLURM executor.

Needs the local cluster of tests/cluster/slurm_up.sh (run by .ci/cluster.sh); skipped when no
cluster answers, unless LITHOFLOW_REQUIRE_SLURM=1 (then it fails). The run uses the
repository's `profiles/slurm` unchanged except for shorter status-check intervals, and the
checks read SLURM's own job records, not Snakemake's word: every planned job that is not a local
rule ran as a SLURM job of this run and completed, and the GPU rules, and only they, went to the
`gpu` partition with a GPU request.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cluster.slurm_records import (
    jobs_per_rule,
    local_rules,
    planned_jobs,
    slurm_jobs,
    slurm_run_id,
)
from tests.support.config import snakemake_command, tiny_config, write_config
from tests.support.slurm import CPU_PARTITION, GPU_PARTITION, SLURM_PROFILE

pytestmark = pytest.mark.cluster

GPU_RULES = frozenset({"train_vae", "train_classifier"})
# Seconds: the whole run is stopped with SIGINT (Snakemake then cancels its SLURM jobs).
RUN_TIMEOUT_S = 600
# The executor checks job states after this many seconds, then backs off by 10 s per check.
STATUS_CHECK_S = "3"
# What the cluster run builds: a VAE classifier (a VAE and an MLP, both GPU rules) and a
# gradient-boosting classifier (a CPU training rule), with everything upstream of them. The
# reports and figures downstream add only more CPU jobs of kinds already covered, and minutes.
TARGETS = (
    "results/models/classifiers/v1_1/metrics.json",
    "results/models/classifiers/boosting/metrics.json",
)


@pytest.fixture(scope="module")
def slurm_cluster() -> None:
    """A SLURM controller that answers and lists the `main` and `gpu` partitions as up."""
    problem = None
    if shutil.which("sinfo") is None or shutil.which("scontrol") is None:
        problem = "SLURM client commands not found"
    elif subprocess.run(["scontrol", "ping"], capture_output=True, timeout=30).returncode != 0:
        problem = "slurmctld does not answer 'scontrol ping'"
    else:
        result = subprocess.run(
            ["sinfo", "--noheader", "--format=%R %a"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        up = {line.split()[0] for line in result.stdout.splitlines() if line.split()[1:] == ["up"]}
        if result.returncode != 0 or not {CPU_PARTITION, GPU_PARTITION} <= up:
            problem = f"no SLURM cluster with partitions main and gpu: {result.stderr.strip()}"
    if problem is not None:
        message = f"{problem} (start one with tests/cluster/slurm_up.sh, or run .ci/cluster.sh)"
        if os.environ.get("LITHOFLOW_REQUIRE_SLURM") == "1":
            pytest.fail(message)
        pytest.skip(message)


def run_under_slurm(workdir: Path) -> subprocess.CompletedProcess[str]:
    """Run the repository's Snakefile in `workdir` with profiles/slurm, bounded by SIGINT."""
    venv_bin = str(Path(sys.executable).parent)
    # Jobs inherit this environment (sbatch --export=ALL): the venv's tools come first.
    env = {**os.environ, "PATH": os.pathsep.join([venv_bin, os.environ.get("PATH", "")])}
    cmd = [
        "timeout",
        "--signal=INT",
        "--kill-after=60",
        str(RUN_TIMEOUT_S),
        *snakemake_command(
            workdir,
            # Absolute, so that the profile's partitions.yaml resolves after --directory.
            "--profile",
            str(SLURM_PROFILE),
            "--slurm-init-seconds-before-status-checks",
            STATUS_CHECK_S,
            "--seconds-between-status-checks",
            STATUS_CHECK_S,
            *TARGETS,
        ),
    ]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT_S + 120)


def test_workflow_runs_as_slurm_jobs_with_gpus_only_for_training(
    slurm_cluster: None, tmp_path: Path
) -> None:
    workdir = tmp_path / "run"
    write_config(workdir, tiny_config({"compute": {"gpus_per_training_job": 1}}))

    result = run_under_slurm(workdir)
    output = result.stdout + result.stderr
    assert result.returncode == 0, (
        f"snakemake under SLURM failed ({result.returncode}):\n{output[-8000:]}"
    )
    assert str(SLURM_PROFILE) in output.splitlines()[0], "profiles/slurm was not used"

    planned = planned_jobs(output)
    on_submit_host = local_rules(output)
    expected = {rule: n for rule, n in planned.items() if rule not in on_submit_host}
    assert GPU_RULES <= expected.keys(), f"the run planned no {sorted(GPU_RULES)} job: {planned}"
    assert "train_boosting_classifier" in expected, f"no CPU training job planned: {planned}"

    jobs = slurm_jobs(workdir)
    # Every job Snakemake planned ran under SLURM, once, as part of this run, and completed.
    assert dict(jobs_per_rule(jobs)) == expected
    run_id = slurm_run_id(output)
    assert {job.name for job in jobs} == {run_id}
    failed = [job for job in jobs if job.state != "COMPLETED" or job.exit_code != 0]
    assert not failed, f"SLURM jobs that did not complete: {failed}"

    # The GPU rules, and only they, asked SLURM for a GPU and went to the GPU partition.
    for job in jobs:
        if job.rule in GPU_RULES:
            assert job.partition == GPU_PARTITION, job
            assert job.gpu_request == "gres:gpu:1", job
        else:
            assert job.partition == CPU_PARTITION, job
            assert not job.requested_gpu, job
