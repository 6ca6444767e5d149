"""Ensembles of runs: the mean of the members' probabilities, unit by unit, scored like a run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from lithoflow.classifiers.data import ClassifierInputs
from lithoflow.classifiers.ensemble import evaluate_ensemble, mean_probabilities
from lithoflow.classifiers.run import train_classifier_run
from lithoflow.core.errors import InputDataError
from lithoflow.features.scaling import ScalingConfig
from tests.support.config import check_config, classifier_spec, load_default_config
from tests.support.model_data import FAST_BOOSTING, write_model_inputs

BOOSTING = FAST_BOOSTING


@pytest.fixture(scope="module")
def members(tmp_path_factory):
    root = tmp_path_factory.mktemp("ensemble")
    inputs = write_model_inputs(root)
    files = ClassifierInputs(split_paths=inputs["splits"])
    folders = {}
    for name, leaves in (("small", 4), ("large", 15)):
        spec = classifier_spec(
            name,
            model="gradient_boosting",
            target="lithology",
            split="size_balanced",
            replicates=2,
            missing="native",
            gradient_boosting={**BOOSTING, "max_leaf_nodes": leaves},
        )
        folder = root / name
        train_classifier_run(
            spec=spec,
            files=files,
            scaling=ScalingConfig.unscaled(),
            output_dir=folder,
            device=torch.device("cpu"),
        )
        folders[name] = folder
    return root, folders


def test_the_ensemble_averages_its_members_unit_by_unit(members, tmp_path):
    _, folders = members
    metrics = evaluate_ensemble(
        name="both", members=folders, output_dir=tmp_path, penalty=None, penalty_path="",
        bootstrap=20, seed=1,
    )  # fmt: skip
    small = pd.read_parquet(folders["small"] / "probabilities.parquet")
    large = pd.read_parquet(folders["large"] / "probabilities.parquet")
    averaged = pd.read_parquet(tmp_path / "probabilities.parquet")
    classes = metrics["classes"]
    keys = ["unit", "borehole_id", "depth_bin_m"]
    merged = small.merge(large, on=keys, suffixes=("_s", "_l")).merge(averaged, on=keys)
    for name in classes:
        np.testing.assert_allclose(merged[name], (merged[f"{name}_s"] + merged[f"{name}_l"]) / 2)
    predictions = pd.read_parquet(tmp_path / "predictions.parquet")
    for unit_record in metrics["units"]:
        unit = averaged[averaged["unit"] == unit_record["unit"]]
        predicted = np.asarray(classes, dtype=object)[unit[classes].to_numpy().argmax(axis=1)]
        assert unit_record["accuracy"] == pytest.approx((predicted == unit["true"]).mean())
    assert metrics["n_units"] == 2 and metrics["model"] == "ensemble"
    assert metrics["accuracy"] == pytest.approx(np.mean([u["accuracy"] for u in metrics["units"]]))
    assert set(metrics["member_scores"]) == {"small", "large"}
    assert len(predictions) == len(averaged) and "bootstrap" in metrics


def test_members_testing_different_rows_are_refused(members):
    _, folders = members
    small = pd.read_parquet(folders["small"] / "probabilities.parquet")
    with pytest.raises(InputDataError, match="did not test the same rows"):
        mean_probabilities([small, small.iloc[1:]], ["a", "b"])


def test_ensemble_members_must_share_what_decides_their_test_rows():
    config = load_default_config()
    runs = config["classifiers"]["runs"]
    runs["both"] = {"ensemble": {"members": ["boosting", "direct"]}, "target": "group",
                    "split": "size_balanced"}  # fmt: skip
    check_config(config)  # same target, split, evaluation, replicates, folds and seed
    runs["mixed"] = {"ensemble": {"members": ["boosting", "v1_0"]}, "target": "group"}
    with pytest.raises(Exception, match="'v1_0' differs from the ensemble in 'target'"):
        check_config(config)
