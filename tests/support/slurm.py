"""The repository's Snakemake profiles and the SLURM layout they route jobs to, for tests/cluster.

`profiles/slurm` sends jobs to the partitions of its partitions.yaml: GPU jobs to `gpu`, all
others to `main`, the two partitions tests/cluster/slurm_up.sh creates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.support.config import REPO_ROOT

PROFILES = REPO_ROOT / "profiles"
SLURM_PROFILE = PROFILES / "slurm"
CPU_PARTITION = "main"
GPU_PARTITION = "gpu"


def load_profile(name: str) -> dict[str, Any]:
    """profiles/<name>/config.yaml as a dict."""
    return yaml.safe_load((PROFILES / name / "config.yaml").read_text())


def slurm_partition_file() -> Path:
    """The partitions file profiles/slurm names (relative to the profile's folder)."""
    return SLURM_PROFILE / load_profile("slurm")["slurm-partition-config"]
