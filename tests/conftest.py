"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_REFERENCE = REPO_ROOT.parent / "shared" / "reference"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_reference() -> Path:
    """The investigation's reference folder (tests only; the workflow never reads it)."""
    if not SHARED_REFERENCE.is_dir():
        pytest.skip(f"reference folder {SHARED_REFERENCE} is not present")
    return SHARED_REFERENCE
