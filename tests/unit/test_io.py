"""Atomic writers: complete files only, usual permissions, JSON-safe values."""

from __future__ import annotations

import json
import math
import os
import stat
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lithoflow.core.errors import OutputError
from lithoflow.core.io import atomic_path, read_parquet_metadata, write_json, write_parquet


def test_atomic_path_leaves_nothing_when_the_writer_fails(tmp_path: Path) -> None:
    target = tmp_path / "out" / "x.json"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_outputs_get_umask_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_json(tmp_path / "a.json", {"x": 1})
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "a.json").stat().st_mode)
    assert mode == 0o644


def test_json_is_sorted_and_non_finite_values_become_strings(tmp_path: Path) -> None:
    write_json(tmp_path / "a.json", {"b": math.inf, "a": [math.nan, -math.inf, 1.5]})
    text = (tmp_path / "a.json").read_text()
    assert json.loads(text) == {"a": ["nan", "-inf", 1.5], "b": "inf"}
    assert text.index('"a"') < text.index('"b"')


def test_parquet_metadata_round_trip(tmp_path: Path) -> None:
    write_parquet(tmp_path / "a.parquet", pd.DataFrame({"x": [1, 2]}), {"features": ["x"]})
    assert read_parquet_metadata(tmp_path / "a.parquet") == {"features": ["x"]}
    assert pd.read_parquet(tmp_path / "a.parquet")["x"].tolist() == [1, 2]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_names_the_output_and_leaves_nothing(tmp_path: Path) -> None:
    """/dev/full fails every write as a full disk does: pyarrow's real error, raised while an
    output is written, becomes an OutputError naming that output."""
    target = tmp_path / "results" / "features.parquet"
    table = pa.table({"a": list(range(100_000))})
    with pytest.raises(OutputError) as caught, atomic_path(target) as tmp:
        tmp.write_text("partial")
        # a stream, not the path: on error pq.write_table deletes the file at a path it was given
        with pa.OSFile("/dev/full", "wb") as full:
            pq.write_table(table, full)  # [errno 28] No space left on device
    message = str(caught.value)
    assert f"cannot write {target}: the disk is full" in message
    assert f"df -h {target.parent}" in message and "No space left on device" in message
    assert list(target.parent.iterdir()) == []
    assert Path("/dev/full").is_char_device()


def test_other_os_errors_keep_their_own_type(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), atomic_path(tmp_path / "x.json"):
        Path(tmp_path / "missing" / "y").read_text()
