"""The FORCE 2020 example config end to end on 5 real wells: ingestion, the hand-set and searched
runs, model imputation, the ensemble, and the prediction of the test well with the searched run
(budgets cut to what a test can afford; every other setting is the example's)."""

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
WELLS = {"train": ["31_2-7", "31_2-9", "31_3-2"], "val": ["31_3-1"], "test": ["31_6-8"]}
RUNS = ("boosting", "boosting_context", "boosting_search", "boosting_model", "ensemble")
# A real curve (shear sonic) none of the 5 wells logs: another log set's curve list may name one.
ABSENT = "DTS"


@pytest.fixture(scope="module")
def force_run(force2020: Path, tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("force2020_run")
    las_dir, test_dir = workdir / "las", workdir / "test_wells"
    las_dir.mkdir()
    test_dir.mkdir()
    for wells in WELLS.values():
        for well in wells:
            shutil.copy(force2020 / "las" / f"{well}.las.gz", las_dir)
    shutil.copy(force2020 / "las" / f"{WELLS['test'][0]}.las.gz", test_dir)
    config = yaml.safe_load((EXAMPLE / "config.yaml").read_text())
    runs = {name: config["classifiers"]["runs"][name] for name in RUNS}
    runs["boosting_search"]["search"] = {
        **runs["boosting_search"]["search"],
        "trials": 2,
        "folds": 3,
    }
    config["classifiers"]["runs"] = runs
    config["data"]["las"]["curves"][ABSENT] = [ABSENT]
    for context in config["context"]["sets"].values():
        context["columns"] = [*context["columns"], ABSENT]
    config = deep_update(
        config,
        {
            "data": {
                "las": {"path": str(las_dir), "label_codes": str(EXAMPLE / "lithology_codes.csv")}
            },
            "classifiers": {
                "penalty_matrix": str(EXAMPLE / "penalty_matrix.csv"),
                "defaults": {
                    "replicates": 1,
                    "bootstrap": 20,
                    "gradient_boosting": {"max_iter": 15},
                },
            },
            "splits": {"explicit": {"test": WELLS["test"], "val": WELLS["val"]}},
            "predict": {"data": {"las": {"path": str(test_dir)}}, "bootstrap": 20},
        },
    )
    run_snakemake(
        workdir, config, targets=["all", "predict"], extra_args=["--replace-workflow-config"]
    )
    return workdir


def test_rows_per_well_follow_the_ingest_report(force_run: Path, force2020: Path):
    wells = pd.read_csv(force2020 / "wells.csv").set_index("borehole")
    report = read_json(force_run / "results" / "data" / "ingest_report.json")
    per_well = {w["borehole_id"]: w for w in report["tables"]["las"]["wells"]}
    every = [w for part in WELLS.values() for w in part]
    assert set(per_well) == set(every)
    dataset = read_dataset(force_run / "results" / "data" / "features.parquet")
    rows = dataset.frame.groupby("borehole_id").size()
    for well, info in per_well.items():
        assert info["rows"] == wells.loc[well, "rows"]
        assert info["labelled_rows"] == wells.loc[well, "labelled_rows"]
        # one log row per 0.1 m bin: bins = rows kept = rows - every counted drop
        assert rows[well] == info["bins"] == info["rows_kept"]
        assert info["rows"] - sum(info["dropped"].values()) == info["bins"]
        assert info["dropped"]["missing_label"] == info["rows"] - info["labelled_rows"]
    example = yaml.safe_load((EXAMPLE / "config.yaml").read_text())
    assert dataset.features == (*example["data"]["las"]["curves"], ABSENT)
    assert dataset.frame[ABSENT].isna().all()
    assert all(info["curves"][ABSENT] is None for info in per_well.values())
    log = (force_run / "logs" / "bin_table" / "las.log").read_text()
    assert f"feature {ABSENT}: none of its mnemonics '{ABSENT}' is in any of the 5 files" in log
    assert dataset.frame[list(dataset.features)].isna().any().any()
    # the log's unlabelled samples are kept aside for the depth context
    # (one bin per 0.1 m: a bin that a labelled sample holds, or that two unlabelled samples share,
    # is counted once; the binning report says how many bins the context gets)
    unlabelled = pd.read_parquet(force_run / "results" / "data" / "unlabelled.parquet")
    binned = read_json(force_run / "results" / "data" / "binned" / "las.json")
    assert len(unlabelled) == binned["unlabelled_bins_for_context"] > 0
    missing_label = sum(info["dropped"]["missing_label"] for info in per_well.values())
    assert 0.99 * missing_label <= len(unlabelled) <= missing_label


def test_every_run_reports_a_penalty_score(force_run: Path):
    for run in RUNS:
        metrics = read_json(force_run / "results" / "models" / "classifiers" / run / "metrics.json")
        for key in ("accuracy", "balanced_accuracy", "macro_f1"):
            assert 0.0 <= metrics[key] <= 1.0
        assert -4.0 <= metrics["penalty_score"] <= 0.0  # costs lie in [0, 4]
        if run != "ensemble":
            assert metrics["boreholes"] == {"train": 3, "val": 1, "test": 1}


def test_the_searched_run_chooses_on_train_and_val_wells_and_is_applied(force_run: Path):
    folder = force_run / "results" / "models" / "classifiers" / "boosting_search"
    metrics = read_json(folder / "metrics.json")
    search = metrics["search"]
    assert search["pool_boreholes"] == sorted(WELLS["train"] + WELLS["val"])
    assert search["metric"] == "penalty_score" and len(search["trials"]) == 2
    table = pd.read_csv(folder / "search.csv")
    assert table["chosen"].sum() == 1 and (folder / "search.png").is_file()
    # the first trial is the run's own settings
    first = table.iloc[0]
    assert first["context"] == "window" and first["missing"] == "native"
    summary = pd.read_csv(force_run / "results" / "predict" / "summary.csv").set_index(
        "borehole_id"
    )
    test_well = WELLS["test"][0]
    assert summary.loc[test_well, "labelled_samples"] > 9000
    card = read_json(folder / "final" / "model_card.json")
    assert card["training_boreholes"] == sorted(WELLS["train"] + WELLS["val"])
    assert card["settings"]["origin"] == "searched (2 trials x 3 folds, penalty_score)"
    assert card["settings"]["search"]["chosen"] == search["chosen"]
    board = pd.read_csv(force_run / "results" / "report" / "leaderboard.csv").set_index("run")
    assert board.loc["boosting_search", "settings"] == card["settings"]["origin"]
    assert board.loc["boosting_context", "settings"] == "hand-set"
    assert board.loc["ensemble", "settings"] == "ensemble of boosting_context, boosting_model"


def test_the_ensemble_averages_its_members(force_run: Path):
    folder = force_run / "results" / "models" / "classifiers"
    ensemble = read_json(folder / "ensemble" / "metrics.json")
    assert ensemble["members"] == ["boosting_context", "boosting_model"]
    model = read_json(folder / "boosting_model" / "config.json")
    assert model["spec"]["missing"] == "model"
    chain = read_json(folder / "boosting_model" / "pipeline.json")
    assert chain["curve_imputer"]["modelled"]  # the curves' gaps were modelled
    assert ABSENT not in chain["curve_imputer"]["modelled"]  # no value to learn from


def test_a_curve_no_well_logs_is_never_used(force_run: Path):
    folder = force_run / "results" / "models" / "classifiers"
    # (under missing: model its gaps take a constant, which no tree can split on)
    for run in ("boosting", "boosting_context"):
        config = read_json(folder / run / "config.json")
        inputs = config["model_inputs"]
        used = [inputs[i] for i in config["architecture"]["used_inputs"]]
        assert any(name.startswith(ABSENT) for name in inputs), run  # offered (and its context)
        assert not [name for name in used if name.startswith(f"{ABSENT}_") or name == ABSENT], run
