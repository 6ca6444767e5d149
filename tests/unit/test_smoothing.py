"""Smoothing of predictions along depth on known sequences."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lithoflow.features.smoothing import SmoothingConfig, smooth_predictions, smooth_probabilities


def one_hot(classes: list[int], n: int = 2) -> np.ndarray:
    return np.eye(n)[classes]


def test_mode_filter_removes_an_isolated_row_but_not_a_bed() -> None:
    depths = np.arange(7) * 0.2
    predicted = [0, 0, 1, 0, 0, 1, 1]
    config = SmoothingConfig("mode", window_m=0.6, max_gap_m=0.3)
    smoothed = smooth_predictions(["A"] * 7, depths, one_hot(predicted), config)
    assert list(smoothed) == [0, 0, 0, 0, 0, 1, 1]


def test_smoothing_never_crosses_a_gap_or_a_borehole() -> None:
    boreholes = ["A", "A", "A", "B"]
    depths = np.array([0.0, 0.2, 5.0, 0.4])
    probabilities = one_hot([0, 0, 1, 1])
    config = SmoothingConfig("mode", window_m=20.0, max_gap_m=0.3)
    assert list(smooth_predictions(boreholes, depths, probabilities, config)) == [0, 0, 1, 1]


def test_probability_mean_over_the_window() -> None:
    probabilities = np.array([[0.9, 0.1], [0.4, 0.6], [0.8, 0.2]])
    out = smooth_probabilities(
        pd.Series(["A"] * 3), np.array([0.0, 0.2, 0.4]), probabilities, 0.4, 0.3
    )
    assert out[1] == pytest.approx([0.7, 0.3])
    assert out[0] == pytest.approx([0.65, 0.35])
    config = SmoothingConfig("probabilities", 0.4, 0.3)
    assert list(
        smooth_predictions(["A"] * 3, np.array([0.0, 0.2, 0.4]), probabilities, config)
    ) == [0, 0, 0]


def test_rows_keep_their_original_order() -> None:
    depths = np.array([0.4, 0.0, 0.2])
    probabilities = one_hot([1, 0, 0])
    config = SmoothingConfig("mode", 0.2, 0.3)  # a window of the row alone
    assert list(smooth_predictions(["A"] * 3, depths, probabilities, config)) == [1, 0, 0]


def test_unknown_method_is_refused() -> None:
    with pytest.raises(ValueError, match="smoothing method"):
        SmoothingConfig("median", 1.0, 0.3)
