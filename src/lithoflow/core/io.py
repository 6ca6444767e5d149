"""File I/O at the edges: atomic writes of JSON, CSV, Parquet and bytes.

Every writer writes to a temporary file in the destination folder and renames it into place, so a
killed job never leaves a half-written file under an output name.
"""

from __future__ import annotations

import contextlib
import errno
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

from lithoflow.core.errors import OutputError


def _current_umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


# What the file system says, in the words of an error a user can act on.
_WRITE_PROBLEMS = {
    errno.ENOSPC: "the disk is full: free space on it ({where}), then rerun",
    errno.EDQUOT: "the disk quota is used up: free space under your quota ({where}), then rerun",
    errno.EACCES: "no permission to write there ({where})",
    errno.EROFS: "the file system is read-only ({where})",
}


def _write_problem(error: OSError) -> str | None:
    """Which of `_WRITE_PROBLEMS` an OSError is; pyarrow's carry the errno only in their text."""
    if error.errno in _WRITE_PROBLEMS:
        return _WRITE_PROBLEMS[error.errno]
    text = str(error).lower()
    for number, problem in _WRITE_PROBLEMS.items():
        if f"errno {number}]" in text or os.strerror(number).lower() in text:
            return problem
    return None


def write_error(target: Path, error: OSError) -> OutputError | None:
    """An OutputError naming `target` for a full disk, a quota or a permission; else None."""
    problem = _write_problem(error)
    if problem is None:
        return None
    where = f"df -h {target.parent}"
    return OutputError(f"cannot write {target}: {problem.format(where=where)} ({error})")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path next to `path`; on success rename it to `path`, else delete it.

    A full disk, a used-up quota or a missing permission ends in an OutputError naming `path`.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as error:
        if (output_error := write_error(target, error)) is None:
            raise
        raise output_error from error
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp creates 0600 files; give outputs the usual permissions (0666 minus the umask).
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, target)
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        if isinstance(error, OSError) and (output_error := write_error(target, error)):
            raise output_error from error
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
