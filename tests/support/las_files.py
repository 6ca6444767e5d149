"""LAS files written by tests: text (or bytes) to a file, gzip-compressed when the name ends .gz."""

from __future__ import annotations

import gzip
from pathlib import Path


def write_las(folder: Path, name: str, text: str | bytes) -> Path:
    """Write `text` (ASCII) or bytes as `folder/name`, compressed when `name` ends with .gz."""
    path = folder / name
    payload = text.encode("ascii") if isinstance(text, str) else text
    if name.endswith(".gz"):
        payload = gzip.compress(payload)
    path.write_bytes(payload)
    return path
