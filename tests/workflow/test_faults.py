"""Fault tolerance: the workflow killed with SIGKILL, then rerun with the README's command
(`python -m lithoflow --cores 2`, what `make run` runs), completes with the results of
an uninterrupted run, and never takes a half-written file as complete.

The runner is started in its own process group and the whole group (runner, Snakemake and the job
it is running) is killed at once, as a power cut or `kill -9` of the session would. Each test asks
for the outputs its fault concerns (the runner passes targets on to Snakemake), not the whole DAG:
the reports downstream would add minutes and test nothing more about the fault.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from lithoflow.training.checkpoints import load_torch
from tests.workflow.helpers import tiny_config, write_config
from tests.workflow.runs import (
    differing_files,
    kill_run,
    resume_epoch,
    run_runner,
    start_runner,
    unreadable_files,
    wait_for,
)

pytestmark = pytest.mark.workflow

VAE = "results/models/vae/v2_6_7"
VAE_STATE = "results/models/vae/.resume/v2_6_7/state.pt"
CLASSIFIER_RUNS = ("v2_6_7_random", "v2_6_7_balanced", "v1_0", "v1_1", "direct")
METRICS = [f"results/models/classifiers/{run}/metrics.json" for run in CLASSIFIER_RUNS]
# The killed VAE's outputs and every classifier on its embeddings (and `direct`, upstream of it).
VAE_TARGETS = [f"{VAE}/model.pt", f"{VAE}/embeddings.parquet", *METRICS]
# Ingestion, the splits and a classifier on the raw features.
INGEST_TARGETS = ["results/data/features.parquet", "results/models/classifiers/direct/metrics.json"]
# A VAE that trains for seconds even on the tiny data (one row per step), so the run can be
# killed after a few completed epochs and well before the last.
SLOW_VAE_EPOCHS = 20
SLOW_VAE = {"vae": {"models": {"v2_6_7": {"epochs": SLOW_VAE_EPOCHS, "batch_size": 1}}}}


def test_make_run_runs_the_runner_these_tests_use(repo_root):
    """`make run` (the README's command) must be the runner these tests kill and rerun."""
    makefile = (repo_root / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"\bpython -m lithoflow(\s|$)", recipe), recipe


def result_files(workdir: Path) -> list[str]:
    return sorted(
        str(p.relative_to(workdir)) for p in (workdir / "results").rglob("*") if p.is_file()
    )


def comparable(files: list[str]) -> list[str]:
    """Result files that two runs must write byte for byte alike (see test_reproducibility.py:
    history.csv and provenance.json hold timings)."""
    return [f for f in files if Path(f).name not in ("history.csv", "provenance.json")]


def assert_same_weights(first: Path, second: Path) -> None:
    a, b = load_torch(first), load_torch(second)
    assert list(a) == list(b)
    for name in a:
        assert torch.equal(a[name], b[name]), name


def test_killed_during_vae_training_resumes_and_ends_with_the_same_results(run_copy):
    # The reference: the shared run with the slow VAE, rerun without interruption (upstream of
    # the VAE nothing changes, so both runs start training from the same inputs).
    reference = run_copy("reference")
    write_config(reference, tiny_config(SLOW_VAE))
    run_runner(reference, reference / "runner.log", targets=VAE_TARGETS)

    workdir = run_copy("killed")
    write_config(workdir, tiny_config(SLOW_VAE))
    state = workdir / VAE_STATE
    process = start_runner(workdir, workdir / "runner.log", targets=VAE_TARGETS)
    try:
        wait_for(
            lambda: (resume_epoch(state) or 0) >= 2,
            process,
            timeout_s=300,
            what="the VAE's resume state after epoch 2",
        )
    finally:
        kill_run(process)
    killed_after = resume_epoch(state)
    assert killed_after is not None and 2 <= killed_after < SLOW_VAE_EPOCHS
    assert not (workdir / VAE / "model.pt").exists()  # training had not finished
    assert unreadable_files(workdir / "results") == []

    run_runner(workdir, workdir / "rerun.log", targets=VAE_TARGETS)

    log = (workdir / "logs/train_vae/v2_6_7.log").read_text()
    assert re.search(rf"resuming from \S+state\.pt after epoch {killed_after}\b", log), log
    trained = [int(n) for n in re.findall(r"lithoflow\.training\.loop: epoch (\d+):", log)]
    # The rerun trained only the epochs after the last completed one.
    assert trained == list(range(killed_after + 1, SLOW_VAE_EPOCHS + 1))
    provenance = (workdir / VAE / "provenance.json").read_text()
    assert f'"resumed_from_epoch": {killed_after}' in provenance
    assert not state.exists()  # cleared once the outputs were written
    assert_same_weights(workdir / f"{VAE}/model.pt", reference / f"{VAE}/model.pt")
    files = result_files(reference)
    assert result_files(workdir) == files
    assert {f"{VAE}/model.pt", f"{VAE}/embeddings.parquet", *METRICS} <= set(files)
    assert differing_files(workdir, reference, comparable(files)) == []


def test_killed_during_ingestion_leaves_no_partial_file_and_reruns_to_the_same_results(
    completed_run, tmp_path
):
    workdir = tmp_path / "killed"
    write_config(workdir, tiny_config())
    binned = workdir / "results/data/binned"
    features = workdir / "results/data/features.parquet"
    process = start_runner(workdir, workdir / "runner.log", targets=INGEST_TARGETS)
    try:
        # Between the first binned table and the merged one: other tables are being binned.
        wait_for(
            lambda: binned.is_dir() and any(binned.glob("*.parquet")),
            process,
            timeout_s=300,
            what="the first binned table",
        )
    finally:
        kill_run(process)
    assert not features.exists(), "the kill came too late: ingestion had finished"
    assert unreadable_files(workdir / "results") == []

    run_runner(workdir, workdir / "rerun.log", targets=INGEST_TARGETS)

    assert "removing the stale lock of a killed run" in (workdir / "rerun.log").read_text()
    assert not list((workdir / "results").rglob(".*.tmp"))  # no temporary file is left behind
    files = result_files(workdir)
    assert set(files) <= set(result_files(completed_run))
    assert {*INGEST_TARGETS, "results/splits/size_balanced/test.parquet"} <= set(files)
    # Every file the rerun wrote (tables, binned and merged, splits, the classifier) is the
    # uninterrupted run's, byte for byte.
    assert differing_files(workdir, completed_run, comparable(files)) == []
