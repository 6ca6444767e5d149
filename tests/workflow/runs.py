"""Helpers for tests on whole workflow runs: copy a run, read Snakemake's dry-run job list, start
the README's runner and kill it, and check result files.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from lithoflow.training.checkpoints import load_torch
from tests.support.dry_run import (  # noqa: F401  (re-exported for the workflow tests)
    PlannedJob,
    job_names,
    parse_dry_run,
)
from tests.workflow.helpers import run_snakemake, write_config

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"IEND\xaeB`\x82"


def copy_run(source: Path, destination: Path) -> Path:
    """Copy a run folder keeping mtimes, links and Snakemake's metadata; returns `destination`."""
    shutil.copytree(source, destination, symlinks=True)
    return destination


# --- Snakemake's dry-run job list ------------------------------------------------------------


def planned_jobs(
    workdir: Path,
    config: Mapping[str, Any] | None = None,
    targets: Sequence[str] = (),
    extra_args: Sequence[str] = (),
) -> list[PlannedJob]:
    """The jobs Snakemake would run in `workdir` to build `targets` (default: rule all), after
    writing `config` there if given; `extra_args` go to Snakemake (e.g. --allowed-rules)."""
    if config is not None:
        write_config(workdir, config)
    result = run_snakemake(
        workdir, targets=targets, extra_args=["--dry-run", "--nocolor", *extra_args]
    )
    return parse_dry_run(result.stdout + "\n" + result.stderr)


# --- the README's runner, started and killed -------------------------------------------------


def start_runner(
    workdir: Path, log_path: Path, cores: int = 2, targets: Sequence[str] = ()
) -> subprocess.Popen[bytes]:
    """Start `python -m lithoflow --cores N [targets]` in `workdir`, as the README says, in its
    own process group (so that the whole run, Snakemake's jobs included, can be killed at once)."""
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "lithoflow", "--cores", str(cores), "--nocolor", *targets],
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def kill_run(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the run's whole process group and reap the runner."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=60)


def wait_for(
    condition: Callable[[], bool],
    process: subprocess.Popen[bytes],
    timeout_s: float,
    what: str,
    poll_s: float = 0.01,
) -> None:
    """Poll `condition` until it holds; fail if the run ends or `timeout_s` passes first."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the run ended (exit {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            kill_run(process)
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(poll_s)


def run_runner(
    workdir: Path, log_path: Path, timeout_s: float = 900, targets: Sequence[str] = ()
) -> None:
    """Run the README's command to the end in `workdir`; fail with its log if it fails."""
    process = start_runner(workdir, log_path, targets=targets)
    try:
        code = process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        kill_run(process)
        raise
    if code != 0:
        raise AssertionError(f"the runner failed ({code}):\n{log_path.read_text()[-6000:]}")


def resume_epoch(state_file: Path) -> int | None:
    """The last completed epoch saved in a training's resume state (None if there is none)."""
    if not state_file.is_file():
        return None
    try:
        return int(load_torch(state_file)["epoch"])
    except FileNotFoundError:  # replaced between the check and the read
        return None


# --- result files ----------------------------------------------------------------------------


def unreadable_files(folder: Path) -> list[str]:
    """Files under `folder` that do not read back completely, with why (hidden files skipped:
    they are the temporaries of the atomic writers, which no rule takes as an output)."""
    problems = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        try:
            check_file_reads(path)
        except Exception as exc:  # any failure to read is what we look for
            problems.append(f"{path.relative_to(folder)}: {type(exc).__name__}: {exc}")
    return problems


def check_file_reads(path: Path) -> None:
    """Read a result file completely by its type; raise if it is truncated or malformed."""
    suffix = path.suffix
    if suffix == ".parquet":
        pq.read_table(path)
    elif suffix == ".json":
        json.loads(path.read_text())
    elif suffix == ".csv":
        pd.read_csv(path, low_memory=False)
    elif suffix == ".pt":
        load_torch(path)
    elif suffix == ".png":
        data = path.read_bytes()
        if not (data.startswith(PNG_SIGNATURE) and data.endswith(PNG_END)):
            raise ValueError("not a complete PNG")
    elif suffix in (".md", ".html", ".txt"):
        if not path.read_text():
            raise ValueError("empty")
    elif path.stat().st_size == 0:
        raise ValueError("empty")


def differing_files(first: Path, second: Path, relatives: Iterable[str]) -> list[str]:
    """The relative paths whose bytes differ between two run folders (or are missing in one)."""
    return [
        relative
        for relative in relatives
        if not (first / relative).is_file()
        or not (second / relative).is_file()
        or (first / relative).read_bytes() != (second / relative).read_bytes()
    ]
