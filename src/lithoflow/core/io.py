"""File I/O at the edges: atomic writes of JSON, CSV, Parquet and bytes.

Every writer writes to a temporary file in the destination folder and renames it into place, so a
killed job never leaves a half-written file under an output name.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq


def _current_umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to `path`; on success rename it to `path`, else delete it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp creates 0600 files; give outputs the usual permissions (0666 minus the umask).
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _json_safe(value: Any) -> Any:
    """Convert numpy scalars and non-finite floats to JSON-safe values (inf -> "inf")."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def write_json(path: str | os.PathLike[str], payload: Any) -> None:
    """Write `payload` as indented, key-sorted JSON, atomically. inf/nan become strings."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(_json_safe(payload), indent=2, sort_keys=True) + "\n")


def read_json(path: str | os.PathLike[str]) -> Any:
    """Read a JSON file."""
    return json.loads(Path(path).read_text())


def write_csv(path: str | os.PathLike[str], frame: pd.DataFrame) -> None:
    """Write a DataFrame as CSV without the index, atomically."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


def write_parquet(
    path: str | os.PathLike[str],
    frame: pd.DataFrame,
    metadata: dict[str, Any] | None = None,
) -> None:
    """Write a DataFrame as Parquet (no index), atomically, with optional JSON metadata.

    `metadata` is stored in the file's schema metadata under the key ``lithoflow``.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if metadata is not None:
        existing = dict(table.schema.metadata or {})
        existing[b"lithoflow"] = json.dumps(_json_safe(metadata), sort_keys=True).encode()
        table = table.replace_schema_metadata(existing)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def read_parquet_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``lithoflow`` JSON metadata of a Parquet file ({} if none)."""
    schema = pq.read_schema(path)
    raw = (schema.metadata or {}).get(b"lithoflow")
    return json.loads(raw) if raw else {}
