"""`snakemake predict` on real wells: train on two FORCE wells, classify the third with its label
curve removed, and check that it is the evaluation's prediction, written back to LAS and drawn;
adding a well to the folder classifies only that well."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import lasio
import numpy as np
import pandas as pd
import pytest
import yaml

from lithoflow.core.io import read_json
from tests.support.dry_run import job_names, parse_dry_run
from tests.workflow.helpers import REPO_ROOT, deep_update, run_snakemake

pytestmark = pytest.mark.workflow

MINIMAL = REPO_ROOT / "examples" / "minimal" / "config.yaml"
FORCE_EXAMPLE = REPO_ROOT / "examples" / "force2020"
TRAIN, VAL, TEST = "31_2-7", "31_3-1", "31_6-8"
LABEL_CURVES = ("FORCE_2020_LITHOFACIES_LITHOLOGY", "FORCE_2020_LITHOFACIES_CONFIDENCE")
RUN = "boosting_context"


def unlabelled_copy(source: Path, target: Path) -> Path:
    """The well's LAS without its label curves, every value written back exactly."""
    with gzip.open(source, "rt") as handle:
        las = lasio.read(handle)
    for mnemonic in LABEL_CURVES:
        las.delete_curve(mnemonic)
    las.write(str(target), version=2.0, fmt="%.17g")
    return target


@pytest.fixture(scope="module")
def predicted(force2020: Path, tmp_path_factory) -> tuple[Path, dict]:
    workdir = tmp_path_factory.mktemp("predict")
    wells, new_wells = workdir / "wells", workdir / "new_wells"
    wells.mkdir()
    new_wells.mkdir()
    for well in (TRAIN, VAL, TEST):
        shutil.copy(force2020 / "las" / f"{well}.las.gz", wells)
    unlabelled_copy(force2020 / "las" / f"{TEST}.las.gz", new_wells / f"{TEST}.las")
    config = deep_update(
        yaml.safe_load(MINIMAL.read_text()),
        {
            "data": {
                "las": {
                    "path": str(wells),
                    "label_curve": LABEL_CURVES[0],
                    "label_codes": str(FORCE_EXAMPLE / "lithology_codes.csv"),
                }
            },
            "splits": {"methods": ["explicit"], "explicit": {"val": [VAL], "test": [TEST]}},
            "classifiers": {
                "penalty_matrix": str(FORCE_EXAMPLE / "penalty_matrix.csv"),
                "defaults": {"split": "explicit", "gradient_boosting": {"max_iter": 20}},
                "runs": {RUN: {"replicates": 1}},
            },
            "predict": {
                "run": RUN,
                "model": "evaluated",
                "data": {"source": "las", "las": {"path": str(new_wells)}},
                "bootstrap": 50,
            },
        },
    )
    run_snakemake(workdir, config, targets=["predict"], extra_args=["--replace-workflow-config"])
    return workdir, config


def test_a_new_well_is_classified_as_its_evaluation_classified_it(predicted):
    workdir, _ = predicted
    table = pd.read_parquet(workdir / "results" / "predict" / f"{TEST}.parquet")
    evaluated = pd.read_parquet(
        workdir / "results" / "models" / "classifiers" / RUN / "predictions.parquet"
    )
    evaluated = evaluated[(evaluated["part"] == "test") & (evaluated["borehole_id"] == TEST)]
    # one 0.1 m bin per 0.152 m sample: each labelled sample is one evaluated bin
    table["depth_bin_m"] = np.round(table["depth_m"] / 0.1) * 0.1
    joined = evaluated.merge(table, on="depth_bin_m", suffixes=("_evaluated", ""))
    assert len(joined) == len(evaluated) > 9000
    np.testing.assert_array_equal(joined["predicted"], joined["predicted_evaluated"])
    assert "true" not in table.columns  # the label curve was removed
    report = read_json(workdir / "results" / "predict" / "reports" / f"{TEST}.json")
    assert report["model"] == "evaluated" and report["samples"] == len(table)
    assert report["figure_tracks"] == [
        "GR", "RHOB", "NPHI", "DTC", "RDEP", "predicted", "top probability"
    ]  # fmt: skip


def test_the_las_written_back_reads_with_the_original_samples_and_curves(predicted, force2020):
    workdir, _ = predicted
    written = lasio.read(str(workdir / "results" / "predict" / f"{TEST}.las"))
    with gzip.open(force2020 / "las" / f"{TEST}.las.gz", "rt") as handle:
        original = lasio.read(handle)
    np.testing.assert_array_equal(written.index, original.index)
    for curve in original.curves:
        if curve.mnemonic in LABEL_CURVES:
            continue
        np.testing.assert_array_equal(written[curve.mnemonic], original[curve.mnemonic])
        assert written.curves[curve.mnemonic].unit == curve.unit
    codes = pd.read_csv(FORCE_EXAMPLE / "lithology_codes.csv")
    predicted_codes = written["LITH_PRED"]
    assert set(predicted_codes[~np.isnan(predicted_codes)]) <= set(codes.iloc[:, 0].astype(float))
    assert any(c.mnemonic.startswith("P_") for c in written.curves)
    assert written.well["WELL"].value == original.well["WELL"].value


def test_summary_card_and_figures(predicted):
    workdir, _ = predicted
    summary = pd.read_csv(workdir / "results" / "predict" / "summary.csv")
    assert summary["borehole_id"].tolist() == [TEST]  # no labels: no pooled row
    assert summary.loc[0, "samples_applied"] > 9000
    share_columns = [c for c in summary.columns if c.startswith("share_")]
    assert summary.loc[0, share_columns].sum() == pytest.approx(1.0)
    card = read_json(workdir / "results" / "models" / "classifiers" / RUN / "model_card.json")
    assert card["model"] == "evaluated" and card["training_boreholes"] == [TRAIN]
    assert [item["curve"] for item in card["inputs"]] == ["GR", "RHOB", "NPHI", "DTC", "RDEP"]
    for name in (f"{TEST}.png", "overview.png"):
        assert (workdir / "results" / "predict" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_adding_a_well_classifies_only_that_well(predicted, force2020):
    workdir, config = predicted
    new_wells = Path(config["predict"]["data"]["las"]["path"])
    unlabelled_copy(force2020 / "las" / f"{TRAIN}.las.gz", new_wells / f"{TRAIN}.las")
    dry = run_snakemake(
        workdir, config, targets=["predict"], extra_args=["-n", "--replace-workflow-config"]
    )
    assert job_names(parse_dry_run(dry.stdout)) == {
        f"predict_borehole[borehole={TRAIN}]",
        "predict_summary",
        "predict",
    }
    run_snakemake(workdir, config, targets=["predict"], extra_args=["--replace-workflow-config"])
    report = read_json(workdir / "results" / "predict" / "reports" / f"{TRAIN}.json")
    assert report["in_training"] and any("not blind" in note for note in report["notes"])
    summary = pd.read_csv(workdir / "results" / "predict" / "summary.csv")
    assert summary.set_index("borehole_id").loc[TRAIN, "in_training"]
