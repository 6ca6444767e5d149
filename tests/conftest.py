"""Shared test fixtures."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pytest

from tests.support.config import tiny_config
from tests.support.workflow_rules import BuiltWorkflow, load_rules

REPO_ROOT = Path(__file__).resolve().parents[1]
# The investigation's references sit beside the checkout (../shared/reference); a clone elsewhere
# can point at them with LITHOFLOW_SHARED_REFERENCE.
REFERENCE_CANDIDATES = [
    Path(p)
    for p in (
        os.environ.get("LITHOFLOW_SHARED_REFERENCE"),
        REPO_ROOT.parent / "shared" / "reference",
    )
    if p
]
SHARED_REFERENCE = next((p for p in REFERENCE_CANDIDATES if p.is_dir()), REFERENCE_CANDIDATES[-1])


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def packaged_data() -> Path:
    """The package's copies of the investigation's data files (src/lithoflow/data): always there,
    so the fidelity tests run in any clone. tests/unit/test_simulate_plan.py checks that they are
    byte-identical to the reference folder's originals wherever that folder is present."""
    return Path(str(resources.files("lithoflow") / "data"))


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """The investigation's reference folder (tests only; the workflow never reads it). Only the
    comparisons of packaged copies with their originals use it; they skip where it is absent."""
    if not SHARED_REFERENCE.is_dir():
        pytest.skip(f"reference folder {SHARED_REFERENCE} is not present")
    return SHARED_REFERENCE


@pytest.fixture(scope="session")
def built_workflow() -> BuiltWorkflow:
    """The workflow's rules and compiled rule files as Snakemake builds them on `tiny_config()`."""
    return load_rules(tiny_config())


# The FORCE 2020 well logs (29 LAS files, wells.csv, code table, penalty matrix) beside the checkout
# (../shared/data/force2020), or LITHOFLOW_FORCE2020=path.
FORCE2020_CANDIDATES = [
    Path(p)
    for p in (
        os.environ.get("LITHOFLOW_FORCE2020"),
        REPO_ROOT.parent / "shared" / "data" / "force2020",
    )
    if p
]
FORCE2020 = next((p for p in FORCE2020_CANDIDATES if p.is_dir()), FORCE2020_CANDIDATES[-1])


@pytest.fixture(scope="session")
def force2020() -> Path:
    """The FORCE 2020 test wells' folder (tests only; the workflow never reads it)."""
    if not (FORCE2020 / "las").is_dir():
        pytest.skip(f"FORCE 2020 folder {FORCE2020} is not present")
    return FORCE2020


# One real LILY table (AVS_DataLITH.csv, vane shear, 92 holes) beside the checkout
# (../shared/data/lily), or LITHOFLOW_LILY_TABLES=path.
LILY_TABLES = Path(
    os.environ.get("LITHOFLOW_LILY_TABLES") or REPO_ROOT.parent / "shared" / "data" / "lily"
)


@pytest.fixture(scope="session")
def lily_tables() -> Path:
    """The folder of the real LILY vane-shear table (tests only; the workflow never reads it)."""
    if not (LILY_TABLES / "AVS_DataLITH.csv").is_file():
        pytest.skip(f"LILY table folder {LILY_TABLES} is not present")
    return LILY_TABLES
