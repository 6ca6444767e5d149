"""Smoothing predictions along depth: lithology comes in beds, not in single 20-cm rows.

Two methods, both within one borehole and one continuous segment (`along_depth`), over a window of
`window_m` metres centred on each row:

- ``probabilities``: the mean of the predicted class probabilities in the window, then the argmax;
- ``mode``: the most frequent predicted class in the window (ties go to the lower class index),
  which is the same computation on one-hot predictions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.core.typed import build
from lithoflow.features.along_depth import depth_order, window_bounds, window_sums

METHODS = ("probabilities", "mode")


@dataclass(frozen=True)
class SmoothingConfig:
    """A run's `smoothing` entry: method, window (metres) and gap tolerance (metres)."""

    method: str
    window_m: float
    max_gap_m: float

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"smoothing method must be one of {METHODS}, got {self.method!r}")
        if self.window_m <= 0 or self.max_gap_m <= 0:
            raise ValueError("smoothing window_m and max_gap_m must be positive")

    @classmethod
    def from_config(cls, section: dict[str, Any] | None) -> SmoothingConfig | None:
        """None when the run does not smooth."""
        if not section:
            return None
        return build(cls, section, "smoothing")


def smooth_probabilities(
    boreholes: pd.Series | np.ndarray,
    depths: np.ndarray,
    probabilities: np.ndarray,
    window_m: float,
    max_gap_m: float,
) -> np.ndarray:
    """Window means of `probabilities` (rows × classes), in the original row order."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.shape[0] == 0:
        return probabilities.copy()
    along = depth_order(boreholes, depths, max_gap_m)
    lo, hi = window_bounds(along, window_m / 2.0)
    count, total, _ = window_sums(along, along.to_sorted(probabilities), lo, hi)
    return along.to_original(total / count)


def smoothed_probabilities(
    boreholes: pd.Series | np.ndarray,
    depths: np.ndarray,
    probabilities: np.ndarray,
    config: SmoothingConfig,
) -> np.ndarray:
    """Each row's class probabilities (rows × classes) smoothed by `config`: the window mean of
    the probabilities, or for ``mode`` of the one-hot predictions (each class's share of votes)."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if config.method == "mode":
        one_hot = np.zeros_like(probabilities)
        if probabilities.shape[0]:
            one_hot[np.arange(probabilities.shape[0]), probabilities.argmax(axis=1)] = 1.0
        probabilities = one_hot
    return smooth_probabilities(boreholes, depths, probabilities, config.window_m, config.max_gap_m)


def smooth_predictions(
    boreholes: pd.Series | np.ndarray,
    depths: np.ndarray,
    probabilities: np.ndarray,
    config: SmoothingConfig,
) -> np.ndarray:
    """Smoothed class index of each row from its class probabilities (rows × classes)."""
    smoothed = smoothed_probabilities(boreholes, depths, probabilities, config)
    return predicted_classes(smoothed)


def predicted_classes(probabilities: np.ndarray) -> np.ndarray:
    """The class index of each row: its most probable class (ties to the lower index)."""
    if probabilities.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    return probabilities.argmax(axis=1)
