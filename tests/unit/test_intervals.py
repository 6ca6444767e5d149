"""Intervals over replicates and boreholes, group folds, and interval comparisons."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from lithoflow.stats.intervals import (
    HIGHER,
    LOWER,
    NO_DIFFERENCE,
    Interval,
    bootstrap_interval,
    compare,
    group_folds,
    summarize,
)


def test_t_interval_on_a_known_case() -> None:
    summary = summarize([0.40, 0.42, 0.44])
    assert summary.mean == pytest.approx(0.42)
    assert summary.std == pytest.approx(0.02)
    half = stats.t.ppf(0.975, 2) * 0.02 / math.sqrt(3)  # 4.303 * 0.02 / 1.732
    assert half == pytest.approx(0.04968, abs=1e-5)
    assert (summary.low, summary.high) == pytest.approx((0.42 - half, 0.42 + half))
    assert summary.n == 3


def test_one_value_has_no_interval() -> None:
    summary = summarize([0.5])
    assert summary.mean == 0.5 and not summary.has_bounds


def test_compare_needs_separated_intervals() -> None:
    a = Interval(0.6, 0.01, 0.58, 0.62, 3, "t")
    b = Interval(0.5, 0.01, 0.48, 0.52, 3, "t")
    c = Interval(0.55, 0.05, 0.45, 0.65, 3, "t")
    assert compare(a, b) == HIGHER
    assert compare(b, a) == LOWER
    assert compare(a, c) == NO_DIFFERENCE
    assert compare(a, summarize([0.1])) == NO_DIFFERENCE


def test_group_folds_put_each_borehole_in_exactly_one_fold() -> None:
    boreholes = [f"W{i}" for i in range(20)]
    dominant = ["shale"] * 12 + ["sand"] * 6 + ["lime"] * 2
    folds = group_folds(boreholes, dominant, 5, seed=1)
    assert sorted(folds) == sorted(boreholes)
    assert set(folds.values()) == set(range(5))
    assert all(sum(1 for f in folds.values() if f == k) == 4 for k in range(5))
    # stratified: each fold holds shale boreholes
    for k in range(5):
        assert any(folds[b] == k for b, d in zip(boreholes, dominant, strict=True) if d == "shale")
    assert folds == group_folds(boreholes, dominant, 5, seed=1)
    with pytest.raises(ValueError):
        group_folds(boreholes[:3], dominant[:3], 5, seed=1)


def test_bootstrap_resamples_whole_boreholes() -> None:
    frame = pd.DataFrame(
        {
            "borehole_id": ["A"] * 10 + ["B"] * 10 + ["C"] * 10,
            "correct": [1.0] * 10 + [0.0] * 10 + [1.0] * 5 + [0.0] * 5,
        }
    )
    result = bootstrap_interval(frame, lambda f: f["correct"].mean(), n_resamples=400, seed=0)
    assert result.mean == pytest.approx(0.5)
    # every resample is a mean of three borehole means drawn from {1, 0, 0.5}
    assert 0.0 <= result.low < 0.5 < result.high <= 1.0
    one = bootstrap_interval(
        frame[frame.borehole_id == "A"], lambda f: f["correct"].mean(), n_resamples=10, seed=0
    )
    assert not one.has_bounds and one.mean == 1.0
    assert np.isfinite(result.std)


def test_intervals_stay_inside_the_metric_range() -> None:
    summary = summarize([0.0, 0.3, 0.0], bounds=(0.0, 1.0))
    assert summary.low == 0.0 and summary.high < 1.0


def test_unstratifiable_folds_fall_back_to_plain_folds() -> None:
    boreholes = [f"W{i}" for i in range(6)]
    folds = group_folds(boreholes, ["a", "b", "c", "a", "b", "c"], 3, seed=0)
    assert sorted(folds.values()) == [0, 0, 1, 1, 2, 2]


def test_bootstrap_of_confusion_totals_equals_resampling_rows() -> None:
    from lithoflow.stats import metrics as mt
    from lithoflow.stats.intervals import bootstrap_group_totals

    rng = np.random.default_rng(3)
    n_rows, n_classes = 600, 4
    frame = pd.DataFrame(
        {
            "borehole_id": rng.choice([f"W{i}" for i in range(9)], size=n_rows),
            "true": rng.integers(0, n_classes, n_rows),
            "predicted": rng.integers(0, n_classes, n_rows),
        }
    )
    frame.loc[frame["true"] == 0, "predicted"] = 0  # some structure
    costs = rng.uniform(0, 4, size=(n_classes, n_classes))
    np.fill_diagonal(costs, 0.0)
    codes, groups = pd.factorize(frame["borehole_id"])
    totals = np.zeros((len(groups), n_classes, n_classes), dtype=np.int64)
    np.add.at(totals, (codes, frame["true"], frame["predicted"]), 1)

    def statistics(counts):
        return {
            "accuracy": mt.accuracy_of_counts(counts),
            "balanced_accuracy": mt.balanced_accuracy_of_counts(counts),
            "macro_f1": mt.macro_f1_of_counts(counts),
            "penalty": mt.penalty_score_of_counts(counts, costs),
        }

    fast = bootstrap_group_totals(totals, statistics, n_resamples=60, seed=5)
    by_rows = {
        "accuracy": lambda f: mt.accuracy(f["true"], f["predicted"]),
        "balanced_accuracy": lambda f: mt.balanced_accuracy(f["true"], f["predicted"], n_classes),
        "macro_f1": lambda f: mt.macro_f1(f["true"], f["predicted"], n_classes),
        "penalty": lambda f: float(-np.mean(costs[f["true"], f["predicted"]])),
    }
    for name, metric in by_rows.items():
        slow = bootstrap_interval(frame, metric, n_resamples=60, seed=5)
        for field in ("mean", "std", "low", "high"):
            assert getattr(fast[name], field) == pytest.approx(getattr(slow, field), rel=1e-12)
        assert fast[name].n == slow.n == 9
