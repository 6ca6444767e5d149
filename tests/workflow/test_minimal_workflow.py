"""Configs that only train classifiers: the investigation's parts (VAE, validation, anomalies,
report) are optional sections, and a few lines of config run the workflow end to end."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from lithoflow.core.dataset import read_dataset
from lithoflow.core.io import read_json
from tests.workflow.helpers import REPO_ROOT, deep_update, run_snakemake
from tests.workflow.runs import parse_dry_run

pytestmark = pytest.mark.workflow

MINIMAL = REPO_ROOT / "examples" / "minimal" / "config.yaml"
FORCE_EXAMPLE = REPO_ROOT / "examples" / "force2020"
WELLS = ("31_2-7", "31_3-1", "31_6-8")
# Jobs of the optional parts: none may be planned for a config without those sections.
INVESTIGATION_RULES = {
    "train_vae",
    "lithology_hierarchy",
    "group_distribution",
    "validate_hierarchy",
    "validate_reconstruction",
    "vae_comparison",
    "anomalies",
    "investigation_summary",
    "data_driven_hierarchy",
}


def planned_rules(workdir: Path, config: dict) -> set[str]:
    result = run_snakemake(workdir, config, extra_args=["-n", "--replace-workflow-config"])
    return {job.rule for job in parse_dry_run(result.stdout)} - {"all"}


@pytest.fixture(scope="module")
def minimal_run(force2020: Path, tmp_path_factory) -> tuple[Path, set[str]]:
    """examples/minimal/config.yaml on 3 FORCE wells: only its data section (and run length)
    changed."""
    workdir = tmp_path_factory.mktemp("minimal")
    las_dir = workdir / "las"
    las_dir.mkdir()
    for well in WELLS:
        shutil.copy(force2020 / "las" / f"{well}.las.gz", las_dir)
    config = deep_update(
        yaml.safe_load(MINIMAL.read_text()),
        {
            "data": {
                "las": {
                    "path": str(las_dir),
                    "label_curve": "FORCE_2020_LITHOFACIES_LITHOLOGY",
                    "label_codes": str(FORCE_EXAMPLE / "lithology_codes.csv"),
                }
            },
            # three wells: one each for train, val and test
            "splits": {
                "methods": ["explicit"],
                "explicit": {"val": [WELLS[1]], "test": [WELLS[2]]},
            },
            "classifiers": {
                "defaults": {"split": "explicit", "gradient_boosting": {"max_iter": 20}},
                "runs": {"boosting_context": {"replicates": 2}},
            },
        },
    )
    rules = planned_rules(workdir, config)
    run_snakemake(workdir, config, extra_args=["--replace-workflow-config", "--nocolor"])
    return workdir, rules


def test_the_minimal_example_is_short_and_plans_no_investigation_job(minimal_run):
    _, rules = minimal_run
    assert len(MINIMAL.read_text().splitlines()) <= 40
    assert "train_boosting_classifier" in rules and "depth_context" in rules
    assert rules & INVESTIGATION_RULES == set()


def test_the_minimal_example_trains_and_scores_its_run(minimal_run):
    workdir, _ = minimal_run
    folder = workdir / "results" / "models" / "classifiers" / "boosting_context"
    metrics = read_json(folder / "metrics.json")
    assert metrics["model"] == "gradient_boosting" and metrics["n_units"] == 2
    assert metrics["boreholes"] == {"train": 1, "val": 1, "test": 1}
    assert 0.3 < metrics["accuracy"] <= 1.0
    interval = metrics["intervals"]["accuracy"]
    assert interval["low"] <= metrics["accuracy"] <= interval["high"]
    chain = read_json(folder / "pipeline.json")
    assert chain["features"] == ["GR", "RHOB", "NPHI", "DTC", "RDEP"]
    assert chain["context"]["windows_m"] == [1.0, 3.0, 10.0] and chain["missing"] == "native"
    board = pd.read_csv(workdir / "results" / "report" / "leaderboard.csv")
    assert board["run"].tolist() == ["boosting_context"]
    assert not (workdir / "results" / "models" / "vae").exists()
    assert not (workdir / "results" / "hierarchy").exists()


def test_a_real_lily_table_runs_with_a_config_of_a_few_lines(lily_tables: Path, tmp_path: Path):
    # One real LILY table (vane shear strength, 92 holes): its one feature, no VAE.
    config = {
        "data": {"source": "lily", "lily_dir": str(lily_tables)},
        "ingest": {
            "label_table": "AVS",
            "tables": {
                "AVS": {
                    "file": "AVS_DataLITH.csv",
                    "features": {"VANE": "Vane shear strength (kN/m^2)"},
                }
            },
        },
        "classifiers": {
            "runs": {"boosting": {"model": "gradient_boosting", "missing": "native"}},
            # the test's run length only: one replicate of a short fit
            "defaults": {"replicates": 1, "gradient_boosting": {"max_iter": 20}},
        },
    }
    rules = planned_rules(tmp_path, config)
    assert rules & INVESTIGATION_RULES == set() and "train_boosting_classifier" in rules
    run_snakemake(tmp_path, config, extra_args=["--replace-workflow-config", "--nocolor"])
    dataset = read_dataset(tmp_path / "results" / "data" / "features.parquet")
    assert dataset.features == ("VANE",)
    raw = pd.read_csv(lily_tables / "AVS_DataLITH.csv", usecols=["Exp", "Site", "Hole"])
    holes = raw.astype(str).agg("-".join, axis=1).nunique()
    assert 0 < dataset.frame["borehole_id"].nunique() <= holes
    report = read_json(tmp_path / "results" / "data" / "ingest_report.json")
    assert report["tables"]["AVS"]["rows_read"] == len(raw)
    metrics = read_json(
        tmp_path / "results" / "models" / "classifiers" / "boosting" / "metrics.json"
    )
    assert metrics["n_classes"] > 1 and 0.0 <= metrics["balanced_accuracy"] <= 1.0
    assert sum(metrics["boreholes"].values()) == dataset.frame["borehole_id"].nunique()
