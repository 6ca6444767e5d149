"""Fixtures of the workflow tests: one complete tiny run that every test reading results shares.

A complete run takes a minute or more on two cores, so the suite makes exactly one with the plain
`tiny_config()` and hands out its folder. Tests must not change it: those that edit the config or
the results work on a copy (`copy_run`), which keeps mtimes and Snakemake's .snakemake/ metadata,
so Snakemake sees the copy as the same completed run.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.workflow.helpers import run_snakemake, tiny_config
from tests.workflow.runs import copy_run


@pytest.fixture(scope="session")
def completed_run(tmp_path_factory) -> Path:
    """The folder of one complete workflow run on `tiny_config()` (read it, never change it)."""
    workdir = tmp_path_factory.mktemp("completed_run")
    run_snakemake(workdir, tiny_config(), extra_args=["--nocolor"])
    return workdir


@pytest.fixture
def run_copy(completed_run: Path, tmp_path: Path) -> Callable[[str], Path]:
    """A factory of copies of the completed run under this test's tmp folder."""

    def make(name: str = "run") -> Path:
        return copy_run(completed_run, tmp_path / name)

    return make
