"""Reproducibility: a second complete run with the same config and seed, in a fresh folder, gives
the same results, byte for byte; and every model folder records what made it.

Only two kinds of files may differ, and only in their timings: history.csv (the `seconds` of each
epoch) and provenance.json (`finished_utc`, `training_seconds`, a search's `search_seconds` and
`search_trial_seconds`; also `git_commit` and `git_dirty`,
which record the checkout as it was when the model was trained, and may change between the two
runs when a developer commits during the test session). Everything else under results/ (metrics,
splits, reports, models, embeddings, even the figures) must be byte-identical.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

import lithoflow
from lithoflow.classifiers.spec import run_settings
from tests.support.config import validated
from tests.workflow.helpers import REPO_ROOT, run_snakemake, tiny_config
from tests.workflow.runs import differing_files

pytestmark = pytest.mark.workflow

# Files whose only run-to-run differences are timings, and the timing fields they hold.
TIMING_COLUMNS = {"history.csv": ["seconds"]}
TIMING_KEYS = {
    "provenance.json": [
        "finished_utc",
        "training_seconds",
        "search_seconds",
        "search_trial_seconds",
        "git_commit",
        "git_dirty",
    ]
}
CLASSIFIER_RUNS = ("v2_6_7_random", "v2_6_7_balanced", "v1_0", "v1_1", "direct")
SPLIT_METHODS = ("random", "size_balanced", "entropy_balanced")
# What the issue names explicitly; the comparison covers every file, these must be among them.
NAMED_RESULTS = [
    *(f"results/models/classifiers/{run}/metrics.json" for run in CLASSIFIER_RUNS),
    "results/validation/reconstruction_test.json",
    "results/validation/reconstruction_all.json",
    "results/validation/hierarchy_ari.json",
    "results/hierarchy/lithology_hierarchy_mapping.csv",
    *(
        f"results/splits/{method}/{part}.parquet"
        for method in SPLIT_METHODS
        for part in ("train", "val", "test")
    ),
    "results/report/investigation_summary.md",
    "results/models/vae/v2_6_7/model.pt",
    "results/models/vae/v2_6_7/embeddings.parquet",
]


@pytest.fixture(scope="module")
def second_run(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("second_run")
    run_snakemake(workdir, tiny_config(), extra_args=["--nocolor"])
    return workdir


def result_files(workdir: Path) -> list[str]:
    return sorted(
        str(p.relative_to(workdir)) for p in (workdir / "results").rglob("*") if p.is_file()
    )


def without_timings(path: Path) -> object:
    """The file's content with its timing fields removed."""
    if path.name in TIMING_COLUMNS:
        return pd.read_csv(path).drop(columns=TIMING_COLUMNS[path.name]).to_csv(index=False)
    record = json.loads(path.read_text())
    return {k: v for k, v in record.items() if k not in TIMING_KEYS[path.name]}


def test_same_config_and_seed_give_identical_results(completed_run, second_run):
    files = result_files(completed_run)
    assert files == result_files(second_run)
    assert set(NAMED_RESULTS) <= set(files)

    differing = differing_files(completed_run, second_run, files)
    timed = {*TIMING_COLUMNS, *TIMING_KEYS}
    assert [f for f in differing if Path(f).name not in timed] == []
    for relative in differing:
        assert without_timings(completed_run / relative) == without_timings(
            second_run / relative
        ), relative


def test_split_parts_hold_the_same_rows(completed_run, second_run):
    """Byte equality above implies it; this says it in the dataset's own terms."""
    for method in SPLIT_METHODS:
        for part in ("train", "val", "test"):
            relative = f"results/splits/{method}/{part}.parquet"
            first = pd.read_parquet(completed_run / relative)
            second = pd.read_parquet(second_run / relative)
            assert len(first) > 0
            pd.testing.assert_frame_equal(first, second, check_exact=True)


def model_folders(workdir: Path) -> list[Path]:
    models = workdir / "results" / "models"
    return sorted(p.parent for p in models.glob("*/*/provenance.json"))


def git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )


def test_every_model_folder_records_what_made_it(completed_run):
    config = yaml.safe_load((completed_run / "config.yaml").read_text())
    resolved = validated(config)
    folders = model_folders(completed_run)
    names = [f"{p.parent.name}/{p.name}" for p in folders]
    runs = config["classifiers"]["runs"]
    vaes = config["vae"]["models"]
    assert names == sorted([*(f"vae/{v}" for v in vaes), *(f"classifiers/{run}" for run in runs)])
    in_checkout = git("rev-parse", "HEAD").returncode == 0
    for folder in folders:
        record = json.loads((folder / "provenance.json").read_text())
        # The resolved config of the run: the config file with the schema's defaults filled in.
        for section, value in resolved.items():
            assert record["config"][section] == value, (folder, section)
        assert record["lithoflow_version"] == lithoflow.__version__
        if in_checkout:  # the commit trained on is HEAD, or an ancestor if one was made since
            assert re.fullmatch(r"[0-9a-f]{40}", record["git_commit"])
            assert git("merge-base", "--is-ancestor", record["git_commit"], "HEAD").returncode == 0
            assert isinstance(record["git_dirty"], bool)
        assert record["workflow_dir"].startswith(str(REPO_ROOT))
        assert record["versions"]["torch"]
        assert record["epochs_run"] >= 1 and record["resumed_from_epoch"] == 0
        if folder.parent.name == "vae":
            assert record["step"] == "train_vae"
            model = config["vae"]["models"][folder.name]
            assert {k: record["settings"]["vae"][k] for k in model} == model
        else:
            assert record["step"] == "train_classifier"
            spec = run_settings(config["classifiers"], folder.name)
            assert {k: record["settings"]["spec"][k] for k in spec} == spec
