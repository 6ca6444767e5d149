"""Settings chosen by the data: the search over a run's settings under group K-fold, its
isolation from the test boreholes, nested cross-validation, and its table and figure."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from lithoflow.classifiers.data import ClassifierInputs
from lithoflow.classifiers.run import train_classifier_run
from lithoflow.classifiers.search_figure import search_figure, search_table
from lithoflow.classifiers.search_space import apply_parameters
from lithoflow.core.dataset import read_dataset, write_dataset
from lithoflow.features.scaling import ScalingConfig
from tests.support.config import check_config, classifier_spec, figure_style, load_default_config
from tests.support.model_data import FAST_BOOSTING, write_model_inputs, write_small_context

CPU = torch.device("cpu")
BOOSTING = FAST_BOOSTING
SEARCH = {
    "trials": 4,
    "folds": 3,
    "space": {
        "gradient_boosting.max_leaf_nodes": [4, 15],
        "context": ["none", "window"],
        "smoothing.window_m": [0, 1.0],
    },
}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("search")
    paths = write_model_inputs(root)
    context = root / "context.parquet"
    write_small_context(paths["features"], context)
    return {**paths, "context": context}


def searched_spec(**overrides):
    return classifier_spec(
        "s",
        model="gradient_boosting",
        target="lithology",
        split="size_balanced",
        missing="native",
        gradient_boosting=BOOSTING,
        smoothing={"method": "probabilities", "window_m": 1.0, "max_gap_m": 0.3},
        search=overrides.pop("search", SEARCH),
        **overrides,
    )


def run(inputs, out, spec, splits=None):
    kfold = spec.evaluation == "group_kfold"
    files = ClassifierInputs(
        split_paths=None if kfold else (splits or inputs["splits"]),
        features_path=inputs["features"] if kfold else None,
        context_paths={"window": inputs["context"]},
    )
    return train_classifier_run(
        spec=spec, files=files, scaling=ScalingConfig.unscaled(), output_dir=out, device=CPU
    )


def test_a_search_chooses_on_train_and_val_and_the_test_wells_score_the_choice(inputs, tmp_path):
    metrics = run(inputs, tmp_path / "a", searched_spec())
    search = metrics["search"]
    assert len(search["trials"]) == 4 and search["budget"] == {"trials": 4, "folds": 3}
    chosen = search["chosen"]
    assert chosen["gradient_boosting.max_leaf_nodes"] in (4, 15)
    assert chosen["context"] in ("none", "window") and chosen["smoothing.window_m"] in (0, 1.0)
    # the evaluated spec is the chosen one, the search no longer in it
    spec = metrics["spec"]
    assert spec["gradient_boosting"]["max_leaf_nodes"] == chosen["gradient_boosting.max_leaf_nodes"]
    assert spec["context"] == (None if chosen["context"] == "none" else "window")
    assert (spec["smoothing"] is None) == (chosen["smoothing.window_m"] == 0)
    # the pool is the train and val boreholes only, every fold scored for complete trials
    parts = {p: read_dataset(inputs["splits"][p]).frame["borehole_id"] for p in ("train", "val")}
    assert search["pool_boreholes"] == sorted(set(parts["train"]) | set(parts["val"]))
    best = search["cv_score"]
    assert len(best["folds"]) == 3 and best["low"] <= best["mean"] <= best["high"]
    config = json.loads((tmp_path / "a" / "config.json").read_text())
    assert config["search"]["chosen"] == chosen


def test_poisoned_test_labels_change_nothing_in_the_search(inputs, tmp_path):
    # The test boreholes' labels, shuffled among themselves and relabelled, never reach it.
    splits = dict(inputs["splits"])
    test = read_dataset(splits["test"])
    poisoned = test.frame.copy()
    rng = np.random.default_rng(3)
    poisoned["label"] = rng.permutation(poisoned["label"].to_numpy())
    poisoned.loc[poisoned.index[:5], "label"] = "basalt"
    splits["test"] = tmp_path / "test.parquet"
    write_dataset(splits["test"], poisoned, test.features)
    clean = run(inputs, tmp_path / "clean", searched_spec())
    dirty = run(inputs, tmp_path / "dirty", searched_spec(), splits=splits)
    assert dirty["search"]["chosen"] == clean["search"]["chosen"]
    assert pd.DataFrame(dirty["search"]["trials"]).equals(pd.DataFrame(clean["search"]["trials"]))
    assert dirty["accuracy"] != clean["accuracy"]  # the test scores do see the poison


def test_nested_cross_validation_searches_inside_every_outer_fold(inputs, tmp_path):
    search = {**SEARCH, "trials": 2, "folds": 3}
    spec = searched_spec(evaluation="group_kfold", folds=3, replicates=1, search=search)
    metrics = run(inputs, tmp_path / "nested", spec)
    record = metrics["search"]
    assert record["nested"] and [f["unit"] for f in record["folds"]] == ["r0f0", "r0f1", "r0f2"]
    for fold in record["folds"]:
        # each fold's pool leaves its own test fold out
        unit = next(u for u in metrics["units"] if u["unit"] == fold["unit"])
        assert len(fold["pool_boreholes"]) == 12 - unit["boreholes"]["test"]
    assert metrics["n_units"] == 3
    table = search_table(metrics)
    assert table["outer_unit"].nunique() == 3 and table["chosen"].sum() == 3
    figure = search_figure(table, "accuracy", figure_style(dpi=40), "nested")
    assert len(figure.axes) == 3
    assert [ax.get_title() for ax in figure.axes] == [f"outer fold r0f{k}" for k in range(3)]


def test_search_table_and_figure_show_every_trial(inputs, tmp_path):
    metrics = run(inputs, tmp_path / "t", searched_spec())
    table = search_table(metrics)
    assert table["trial"].tolist() == [0, 1, 2, 3] and table["chosen"].sum() == 1
    # Each trial's time is in provenance.json (bench/search.py reads it), not in metrics.json:
    # a rerun reproduces metrics.json byte for byte.
    assert "seconds" not in table.columns
    provenance = json.loads((tmp_path / "t" / "provenance.json").read_text())
    timed = provenance["search_trial_seconds"]
    assert [r["trial"] for r in timed] == [0, 1, 2, 3] and all(r["seconds"] > 0 for r in timed)
    assert provenance["search_seconds"] == pytest.approx(sum(r["seconds"] for r in timed), abs=0.05)
    figure = search_figure(table, "accuracy", figure_style(dpi=40), "s")
    points = [line for line in figure.axes[0].lines if line.get_marker() == "o"]
    assert len(points) == 4
    means = sorted(p.get_ydata()[0] for p in points)
    np.testing.assert_allclose(means, sorted(table["mean"]))


def test_apply_parameters_switches_context_and_smoothing_off():
    settings = {
        "context": "window",
        "smoothing": {"method": "mode", "window_m": 2.0, "max_gap_m": 1},
    }
    applied = apply_parameters(settings, {"context": "none", "smoothing.window_m": 0})
    assert "context" not in applied and "smoothing" not in applied
    widened = apply_parameters(settings, {"smoothing.window_m": 3.0})
    assert widened["smoothing"] == {"method": "mode", "window_m": 3.0, "max_gap_m": 1}


@pytest.mark.parametrize(
    ("space", "message"),
    [
        ({"gradient_boosting.depth": [1, 2]}, None),  # unknown hyperparameters fail in the fit
        ({"max_depth": [1, 2]}, "not a setting a search can choose"),
        ({"smoothing.window_m": [0, 1]}, "needs the run's smoothing section"),
    ],
)
def test_search_space_keys_are_checked(space, message):
    config = load_default_config()
    config["classifiers"]["runs"]["boosting"]["search"] = {"space": space}
    config["report"]["hierarchy_comparisons"] = []
    if message is None:
        check_config(config)
        return
    with pytest.raises(Exception, match=message):
        check_config(config)
