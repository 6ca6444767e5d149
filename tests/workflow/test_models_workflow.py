"""Rules train_vae and train_classifier under Snakemake, on prepared tiny inputs.

The dataset, split parts and hierarchy mapping are written directly (the upstream rules have
their own tests), then Snakemake builds the VAE and two classifiers (embedding → group, raw →
group), reruns nothing when nothing changed, and reruns one classifier only when its spec changes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.model_data import write_model_inputs
from tests.workflow.helpers import run_snakemake, tiny_config
from tests.workflow.runs import job_names, planned_jobs

pytestmark = pytest.mark.workflow

VAE_FILES = (
    "model.pt",
    "config.json",
    "scaler.json",
    "features.json",
    "history.csv",
    "provenance.json",
    "embeddings.parquet",
)
CLASSIFIER_FILES = (
    "model.pt",
    "config.json",
    "scaler.json",
    "metrics.json",
    "confusion.csv",
    "predictions.parquet",
    "history.csv",
    "provenance.json",
)
RUNS = ("v1_1", "direct")
TARGETS = [f"results/models/classifiers/{run}/metrics.json" for run in RUNS]
# Only these rules may run: the prepared inputs are then source files, whatever the mtimes of
# the upstream rules' code (edited concurrently during development).
ONLY_MODEL_RULES = ["--allowed-rules", "train_vae", "train_classifier", "--nocolor"]


def jobs_planned(workdir: Path, config: dict) -> set[str]:
    """The jobs a dry run for TARGETS would run, by name (the shared parser fails loudly when
    the output holds neither a job list nor "Nothing to be done")."""
    return job_names(planned_jobs(workdir, config, TARGETS, ONLY_MODEL_RULES))


def test_models_build_and_rerun_only_what_changed(tmp_path):
    write_model_inputs(tmp_path, methods=("size_balanced", "random"))
    config = tiny_config()
    run_snakemake(tmp_path, config, TARGETS, extra_args=ONLY_MODEL_RULES)

    vae = tmp_path / "results/models/vae/v2_6_7"
    for name in VAE_FILES:
        assert (vae / name).is_file(), name
    for run in RUNS:
        for name in CLASSIFIER_FILES:
            assert (tmp_path / f"results/models/classifiers/{run}/{name}").is_file(), (run, name)
    assert not list((tmp_path / "results/models").rglob("state.pt"))  # resume state cleared

    provenance = json.loads((vae / "provenance.json").read_text())
    assert provenance["config"]["vae"]["models"]["v2_6_7"]["epochs"] == 4
    assert provenance["git_commit"]
    metrics = json.loads((tmp_path / "results/models/classifiers/v1_1/metrics.json").read_text())
    assert metrics["leakage"]["test_boreholes_seen_by_vae"] == 0

    assert jobs_planned(tmp_path, config) == set()
    changed = tiny_config()
    changed["classifiers"]["runs"]["direct"]["patience"] = 3
    assert jobs_planned(tmp_path, changed) == {"train_classifier[run=direct]"}
