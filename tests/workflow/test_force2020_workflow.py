"""The FORCE 2020 example config end to end on 3 real wells (train, val and test one each)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from lithoflow.core.dataset import read_dataset
from lithoflow.core.io import read_json
from tests.workflow.helpers import REPO_ROOT, deep_update, run_snakemake

pytestmark = pytest.mark.workflow

EXAMPLE = REPO_ROOT / "examples" / "force2020"
WELLS = {"train": "31_2-7", "val": "31_3-1", "test": "31_6-8"}


@pytest.fixture(scope="module")
def force_run(force2020: Path, tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("force2020_run")
    las_dir = workdir / "las"
    las_dir.mkdir()
    for well in WELLS.values():
        shutil.copy(force2020 / "las" / f"{well}.las.gz", las_dir)
    config = yaml.safe_load((EXAMPLE / "config.yaml").read_text())
    config = deep_update(
        config,
        {
            "data": {
                "las": {"path": str(las_dir), "label_codes": str(EXAMPLE / "lithology_codes.csv")}
            },
            "classifiers": {
                "penalty_matrix": str(EXAMPLE / "penalty_matrix.csv"),
                "defaults": {
                    "max_epochs": 3,
                    "patience": 2,
                    "bootstrap": 50,
                    "gradient_boosting": {"max_iter": 25},
                },
                # three wells: three folds of one well each
                "runs": {"boosting_context_cv": {"folds": 3}},
            },
            "splits": {"explicit": {"test": [WELLS["test"]], "val": [WELLS["val"]]}},
            "compute": {"device": "cpu"},
        },
    )
    for model in config["vae"]["models"].values():
        model.update(epochs=3, beta_warmup_epochs=2)
    for spec in config["classifiers"]["runs"].values():
        spec["replicates"] = 1  # what is checked here does not need intervals
    run_snakemake(workdir, config, extra_args=["--replace-workflow-config", "--nocolor"])
    return workdir


def test_rows_per_well_follow_the_ingest_report(force_run: Path, force2020: Path):
    wells = pd.read_csv(force2020 / "wells.csv").set_index("borehole")
    report = read_json(force_run / "results" / "data" / "ingest_report.json")
    per_well = {w["borehole_id"]: w for w in report["tables"]["las"]["wells"]}
    assert set(per_well) == set(WELLS.values())
    dataset = read_dataset(force_run / "results" / "data" / "features.parquet")
    rows = dataset.frame.groupby("borehole_id").size()
    for well, info in per_well.items():
        assert info["rows"] == wells.loc[well, "rows"]
        assert info["labelled_rows"] == wells.loc[well, "labelled_rows"]
        # one log row per 0.1 m bin: bins = rows kept = rows - every counted drop
        assert rows[well] == info["bins"] == info["rows_kept"]
        assert info["rows"] - sum(info["dropped"].values()) == info["bins"]
        assert info["dropped"]["missing_label"] == info["rows"] - info["labelled_rows"]
    # every configured curve is a feature; rows lacking some of them are kept (missing_features)
    example = yaml.safe_load((EXAMPLE / "config.yaml").read_text())
    assert dataset.features == tuple(example["data"]["las"]["curves"])
    assert dataset.frame[list(dataset.features)].isna().any().any()
    assert set(dataset.frame["label"]) <= set(
        pd.read_csv(EXAMPLE / "lithology_codes.csv")["lithology"]
    )
    for part, well in WELLS.items():
        split = read_dataset(force_run / "results" / "splits" / "explicit" / f"{part}.parquet")
        assert set(split.frame["borehole_id"]) == {well}


def test_every_lithology_classifier_reports_a_penalty_score(force_run: Path):
    config = yaml.safe_load((EXAMPLE / "config.yaml").read_text())
    for run, spec in config["classifiers"]["runs"].items():
        metrics = read_json(force_run / "results" / "models" / "classifiers" / run / "metrics.json")
        for key in ("accuracy", "balanced_accuracy", "macro_f1"):
            assert 0.0 <= metrics[key] <= 1.0
        if spec["target"] == "lithology":
            assert -4.0 <= metrics["penalty_score"] <= 0.0  # costs lie in [0, 4]
            assert metrics["penalty_matrix"].endswith("penalty_matrix.csv")
        else:
            assert "penalty_score" not in metrics
        assert metrics["boreholes"] == {"train": 1, "val": 1, "test": 1}
