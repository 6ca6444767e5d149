"""The workflow runner finds other Snakemake runs and a killed run's leftovers."""

from __future__ import annotations

import os
from pathlib import Path

from lithoflow.core.runner import snakemake_processes_in, stale_temporaries


def _fake_process(proc: Path, pid: int, cmdline: str, cwd: Path) -> None:
    entry = proc / str(pid)
    entry.mkdir(parents=True)
    (entry / "cmdline").write_bytes(cmdline.replace(" ", "\0").encode())
    os.symlink(cwd, entry / "cwd")


def test_only_snakemake_processes_in_the_same_folder_count(tmp_path: Path) -> None:
    proc, here, elsewhere = tmp_path / "proc", tmp_path / "here", tmp_path / "elsewhere"
    here.mkdir()
    elsewhere.mkdir()
    _fake_process(proc, 101, "python -m snakemake --cores 2", here)
    _fake_process(proc, 102, "python -m snakemake --cores 2", elsewhere)
    _fake_process(proc, 103, "vim Snakefile", here)
    (proc / "self").mkdir()

    assert snakemake_processes_in(here, proc) == [101]


def test_stale_temporaries_are_the_atomic_writers_files(tmp_path: Path) -> None:
    results = tmp_path / "results"
    (results / "data").mkdir(parents=True)
    leftover = results / "data" / ".features.parquet.abc123.tmp"
    leftover.write_text("half")
    (results / "data" / "features.parquet").write_text("complete")

    assert stale_temporaries(results) == [leftover]
    assert stale_temporaries(tmp_path / "missing") == []
