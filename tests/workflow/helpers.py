"""Helpers to run the real Snakefile on tiny configurations in a temporary folder."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SNAKEFILE = REPO_ROOT / "Snakefile"
SNAKEMAKE = Path(sys.executable).parent / "snakemake"
TINY_CONFIG = REPO_ROOT / "tests" / "config" / "tiny.yaml"


def load_default_config() -> dict[str, Any]:
    """The repository's config.yaml as a dict."""
    return yaml.safe_load((REPO_ROOT / "config.yaml").read_text())


def deep_update(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of `base` with `overrides` merged in recursively (mappings merge, rest replaces)."""
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_update(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load_tiny_overrides() -> dict[str, Any]:
    """tests/config/tiny.yaml as a dict: only the keys a tiny run changes in config.yaml."""
    return yaml.safe_load(TINY_CONFIG.read_text())


def load_tiny_config() -> dict[str, Any]:
    """The complete config of a tiny run: config.yaml with tests/config/tiny.yaml merged over it,
    as `snakemake --configfile tests/config/tiny.yaml` merges it."""
    return deep_update(load_default_config(), load_tiny_overrides())


def tiny_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """tests/config/tiny.yaml (the simulator's tiny scale on the CPU with short training, which
    also works as `snakemake --configfile tests/config/tiny.yaml`), plus `overrides`."""
    return deep_update(load_tiny_config(), overrides or {})


def write_config(workdir: Path, config: Mapping[str, Any]) -> Path:
    """Write `config` to workdir/config.yaml and return its path."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(dict(config), sort_keys=False))
    return path


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
    cmd = [
        str(SNAKEMAKE),
        "--snakefile",
        str(SNAKEFILE),
        "--directory",
        str(workdir),
        "--configfile",
        str(workdir / "config.yaml"),
        "--cores",
        str(cores),
        *extra_args,
        *targets,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(
            f"snakemake failed ({result.returncode}): {' '.join(cmd)}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result
