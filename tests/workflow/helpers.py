"""Helpers to run the real Snakefile on tiny configurations in a temporary folder."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.support.config import (  # noqa: F401  (re-exported for the workflow tests)
    REPO_ROOT,
    SNAKEFILE,
    SNAKEMAKE,
    TINY_CONFIG,
    deep_update,
    load_default_config,
    load_tiny_config,
    load_tiny_overrides,
    snakemake_command,
    tiny_config,
    write_config,
)


def run_snakemake(
    workdir: Path,
    config: Mapping[str, Any] | None = None,
    targets: Sequence[str] = (),
    extra_args: Sequence[str] = (),
    cores: int = 2,
    check: bool = True,
    timeout: float | None = 900,
) -> subprocess.CompletedProcess[str]:
    """Run the repository's Snakefile in `workdir` (config written there if given)."""
    if config is not None:
        write_config(workdir, config)
    cmd = snakemake_command(workdir, "--cores", str(cores), *extra_args, *targets)
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(
            f"snakemake failed ({result.returncode}): {' '.join(cmd)}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result
