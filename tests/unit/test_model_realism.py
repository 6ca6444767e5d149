"""Model-level realism checks: the investigation's classifier figures against borehole-bootstrap
intervals of the simulated run's own test predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import balanced_accuracy_score

from lithoflow.simulate.model_realism import (
    bootstrap_balanced_accuracies,
    load_model_reference,
    model_realism_report,
)

CLASSES = ("Carbonate", "Clay/Mud", "Sand", "Silt")
RECONSTRUCTION = {
    "scaled": {"average": {"r2": 0.904}},
    "latent": {"n_active": 4, "n_dimensions": 10},
}


def _predictions(
    mean_recall: float,
    seed: int,
    n_boreholes: int = 60,
    rows: int = 40,
    replicates: int = 2,
    spread: float = 0.15,
    classes: tuple[str, ...] = CLASSES,
) -> pd.DataFrame:
    """Test (and a few train) predictions whose recall varies from borehole to borehole around
    `mean_recall`; every borehole holds two classes, and errors go to the next class."""
    rng = np.random.default_rng(seed)
    frames = []
    for b in range(n_boreholes):
        recall = float(np.clip(rng.normal(mean_recall, spread), 0.0, 1.0))
        true = np.repeat([classes[b % len(classes)], classes[(b + 1) % len(classes)]], rows // 2)
        for replicate in range(replicates):
            right = rng.random(len(true)) < recall
            wrong = [classes[(classes.index(t) + 1) % len(classes)] for t in true]
            frames.append(
                pd.DataFrame(
                    {
                        "borehole_id": f"H{b:03d}",
                        "true": true,
                        "predicted": np.where(right, true, wrong),
                        "part": "test",
                        "replicate": replicate,
                    }
                )
            )
    train = pd.DataFrame(
        {"borehole_id": "T000", "true": classes[0], "predicted": classes[1], "part": "train"},
        index=range(5),
    )
    return pd.concat([*frames, train], ignore_index=True)


def _metrics(value: float, low: float, high: float) -> dict:
    interval = {"mean": value, "std": 0.01, "low": low, "high": high, "n": 3}
    return {"balanced_accuracy": value, "intervals": {"balanced_accuracy": interval}}


def test_bootstrap_points_are_the_pooled_test_rows_and_the_gap_is_paired() -> None:
    direct = _predictions(0.45, seed=1)
    same = direct.copy()
    intervals = bootstrap_balanced_accuracies(
        {"direct": direct, "v1_1": same}, n_resamples=300, seed=0
    )
    test = direct[direct["part"] == "test"]
    expected = balanced_accuracy_score(test["true"], test["predicted"])
    assert intervals["direct"].mean == pytest.approx(expected)
    assert intervals["direct"].low < expected < intervals["direct"].high
    assert intervals["direct"].n == 60  # test boreholes; the train rows are left out
    # The same predictions resampled on the same boreholes differ by exactly zero in every
    # resample; unpaired intervals would be as wide as each model's own.
    gap = intervals["direct - v1_1"]
    assert (gap.mean, gap.low, gap.high) == (0.0, 0.0, 0.0)


def test_runs_tested_on_different_boreholes_are_refused() -> None:
    direct = _predictions(0.45, seed=1)
    fewer = _predictions(0.30, seed=2, n_boreholes=50)
    with pytest.raises(ValueError, match="different boreholes"):
        bootstrap_balanced_accuracies({"direct": direct, "v1_1": fewer}, 100, 0)


def test_the_investigations_figures_pass_in_a_world_that_could_produce_them() -> None:
    reference = load_model_reference()
    predictions = {
        "direct": _predictions(0.42, seed=1),
        "v1_1": _predictions(0.30, seed=2),
        "v1_0": _predictions(0.075, seed=5, spread=0.05),
    }
    metrics = {
        "direct": _metrics(0.42, 0.40, 0.44),
        "v1_1": _metrics(0.30, 0.29, 0.31),
        "v1_0": _metrics(0.075, 0.07, 0.08),
    }
    report = model_realism_report(metrics, predictions, RECONSTRUCTION, "full", 0, reference)
    assert report["summary"]["all_meaningful_passed"], report["checks"]
    gap = next(c for c in report["checks"] if c["name"].startswith("direct - v1_1"))
    assert gap["direct_ahead"] and gap["real_within_interval"] and gap["distinguishable"]
    assert gap["replicate_intervals_separated"] is True
    for check in report["checks"][2:]:
        assert check["interval"]["low"] <= check["real"] <= check["interval"]["high"]
        assert check["error"] <= check["tolerance"]


def test_a_world_far_from_the_figures_fails_and_a_tied_gap_fails() -> None:
    direct = _predictions(0.70, seed=1)
    predictions = {"direct": direct, "v1_1": direct.copy()}
    metrics = {"direct": _metrics(0.70, 0.69, 0.71), "v1_1": _metrics(0.70, 0.69, 0.71)}
    report = model_realism_report(metrics, predictions, None, "full", 0)
    by_name = {c["name"]: c for c in report["checks"]}
    assert not by_name["direct balanced accuracy"]["pass"]
    assert (
        by_name["direct balanced accuracy"]["error"]
        > by_name["direct balanced accuracy"]["tolerance"]
    )
    gap = by_name["direct - v1_1 balanced accuracy"]
    assert not gap["direct_ahead"] and not gap["pass"]
    assert gap["replicate_intervals_separated"] is False
    assert set(report["summary"]["meaningful_failed"]) == {
        "direct balanced accuracy",
        "v1_1 balanced accuracy",
        "direct - v1_1 balanced accuracy",
    }
    # The same results at small scale are reported but not judged.
    small = model_realism_report(metrics, predictions, None, "small", 0)
    assert small["summary"]["all_meaningful_passed"] and not small["meaningful"]


def test_metrics_and_predictions_must_name_the_same_runs() -> None:
    with pytest.raises(ValueError, match="each run needs both"):
        model_realism_report(
            {"direct": _metrics(0.4, 0.3, 0.5)}, {}, None, "full", 0, load_model_reference()
        )
