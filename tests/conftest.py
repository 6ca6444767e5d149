"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
def shared_reference() -> Path:
    """The investigation's reference folder (tests only; the workflow never reads it)."""
    if not SHARED_REFERENCE.is_dir():
        pytest.skip(f"reference folder {SHARED_REFERENCE} is not present")
    return SHARED_REFERENCE
