"""The Snakemake profiles: what they set, how the SLURM plugin routes jobs with them.

No cluster needed: the partition choice and the GPU request are computed by the installed
snakemake-executor-plugin-slurm's own functions on stand-in jobs. The plugin comes with the
`cluster` extra, which `make` installs; without it these tests fail to import rather than skip.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from snakemake_executor_plugin_slurm.partitions import get_best_partition, read_partition_file
from snakemake_executor_plugin_slurm.utils import set_gres_string

from tests.support.config import snakemake_command, tiny_config, write_config
from tests.support.slurm import (
    CPU_PARTITION,
    GPU_PARTITION,
    PROFILES,
    load_profile,
    slurm_partition_file,
)

CONDA_KEYS = {"use-conda", "software-deployment-method", "sdm", "conda-prefix"}


class _Resources(dict):
    """Job resources as the plugin reads them (`.get` and attribute access)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as error:
            raise AttributeError(name) from error


class _Job:
    def __init__(self, name: str, threads: int = 1, **resources: Any) -> None:
        self.name = name
        self.threads = threads
        self.resources = _Resources(resources)


class _Logger:
    def info(self, *args: Any) -> None: ...

    def debug(self, *args: Any) -> None: ...

    def warning(self, *args: Any) -> None: ...


@pytest.fixture(scope="module")
def slurm_profile() -> dict[str, Any]:
    return load_profile("slurm")


@pytest.mark.parametrize("name", ["default", "slurm"])
def test_profiles_do_not_force_conda(name: str) -> None:
    assert CONDA_KEYS.isdisjoint(load_profile(name))


def test_default_profile_is_picked_up_without_being_named(tmp_path: Path) -> None:
    workdir = tmp_path / "run"
    write_config(workdir, tiny_config())
    result = subprocess.run(
        snakemake_command(workdir, "--list-rules"),
        cwd=tmp_path,  # found next to the Snakefile, not in the current directory
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"workflow specific profile {PROFILES / 'default'}" in result.stderr


def test_slurm_profile_resources(slurm_profile: dict[str, Any]) -> None:
    assert slurm_profile["executor"] == "slurm"
    defaults = slurm_profile["default-resources"]
    assert defaults["mem_mb"] > 0 and defaults["runtime"] > 0
    # A default partition would switch off the GPU-aware choice from partitions.yaml.
    assert "slurm_partition" not in defaults
    assert slurm_profile["slurm-status-command"] == "squeue"


@pytest.mark.parametrize(
    ("resources", "partition", "gpu_flag"),
    [
        ({"gpu": 1}, GPU_PARTITION, " --gpus=1"),
        ({}, CPU_PARTITION, ""),
        ({"gpu": 0}, CPU_PARTITION, ""),  # compute.gpus_per_training_job: 0 on a CPU-only cluster
    ],
)
def test_slurm_profile_sends_gpu_jobs_and_only_them_to_the_gpu_partition(
    slurm_profile: dict[str, Any], resources: dict[str, int], partition: str, gpu_flag: str
) -> None:
    partitions = read_partition_file(slurm_partition_file())
    job = _Job("train_vae", mem_mb=4000, runtime=120, **resources)
    assert get_best_partition(partitions, job, _Logger()) == partition
    assert set_gres_string(job) == gpu_flag


def test_slurm_profile_partitions_are_those_of_the_test_cluster() -> None:
    partitions = yaml.safe_load(slurm_partition_file().read_text())["partitions"]
    assert set(partitions) == {CPU_PARTITION, GPU_PARTITION}  # as slurm_up.sh creates them
