"""What made a model: resolved config, package and library versions, git commit, device.

Written as provenance.json into every model folder so a result can be traced back without the
run's log. Timings live here (and in history.csv), never in metrics.json, which must be identical
between two runs with the same config and seed.
"""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

import lithoflow
from lithoflow.core.io import write_json

UNKNOWN = "unknown"


def git_state(folder: str | os.PathLike[str]) -> dict[str, Any]:
    """The commit checked out in `folder` and whether tracked files differ from it.

    Returns {"commit": "unknown", "dirty": None} outside a git checkout or without git.
    """

    def run(*args: str) -> str | None:
        try:
            result = subprocess.run(
                ["git", *args],
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return result.stdout.strip() if result.returncode == 0 else None

    commit = run("rev-parse", "HEAD")
    if not commit:
        return {"commit": UNKNOWN, "dirty": None}
    status = run("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": None if status is None else bool(status)}


def build_provenance(
    *,
    step: str,
    config: Mapping[str, Any] | None,
    settings: Mapping[str, Any],
    device: str,
    workflow_dir: str | os.PathLike[str] | None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The provenance record of one model: `settings` are the step's resolved settings."""
    git = (
        git_state(workflow_dir) if workflow_dir is not None else {"commit": UNKNOWN, "dirty": None}
    )
    return {
        "step": step,
        "settings": dict(settings),
        "config": dict(config) if config is not None else None,
        "lithoflow_version": lithoflow.__version__,
        "git_commit": git["commit"],
        "git_dirty": git["dirty"],
        "workflow_dir": str(Path(workflow_dir).resolve()) if workflow_dir is not None else None,
        "device": device,
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
        "host": platform.node(),
        "finished_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **dict(extra or {}),
    }


def write_provenance(path: str | os.PathLike[str], record: Mapping[str, Any]) -> None:
    """Write a provenance record as JSON, atomically."""
    write_json(path, dict(record))
