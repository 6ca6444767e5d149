"""How sure is a number: intervals over replicates, folds and resampled boreholes, and comparisons.

- `summarize`: mean, sample standard deviation and the 95 % Student-t interval of the mean of
  several values of one metric (replicate seeds, or cross-validation folds); one value has no
  interval (missing bounds).
- `bootstrap_interval`: a percentile interval of a metric on one test set, resampling whole test
  boreholes with replacement (rows of one borehole are not independent, so rows are never
  resampled one by one); `bootstrap_group_totals` does the same for statistics of additive
  per-borehole totals such as confusion matrices, without copying rows.
- `group_folds`: K folds of whole boreholes, stratified by each borehole's dominant class where
  the class counts allow; every borehole lands in exactly one fold.
- `compare`: whether two intervals say one value is higher; overlapping or missing intervals
  mean no distinguishable difference.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.model_selection import KFold, StratifiedKFold

log = logging.getLogger(__name__)

CONFIDENCE = 0.95
HIGHER, LOWER, NO_DIFFERENCE = "higher", "lower", "no distinguishable difference"


@dataclass(frozen=True)
class Interval:
    """A metric over n values: mean, standard deviation and the interval's bounds."""

    mean: float
    std: float
    low: float
    high: float
    n: int
    method: str
    confidence: float = CONFIDENCE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def has_bounds(self) -> bool:
        return math.isfinite(self.low) and math.isfinite(self.high)


def summarize(
    values: Sequence[float],
    confidence: float = CONFIDENCE,
    bounds: tuple[float, float] = (-math.inf, math.inf),
) -> Interval:
    """Mean, sample std and the Student-t interval of the mean of `values` (NaNs ignored),
    clipped to the metric's possible range `bounds` (a share cannot leave [0, 1])."""
    array = np.asarray([v for v in values if v is not None], dtype=np.float64)
    array = array[~np.isnan(array)]
    n = int(array.size)
    if n == 0:
        return Interval(math.nan, math.nan, math.nan, math.nan, 0, "t")
    mean = float(array.mean())
    if n == 1:
        return Interval(mean, math.nan, math.nan, math.nan, 1, "t")
    std = float(array.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1)) * std / math.sqrt(n)
    low, high = max(mean - half, bounds[0]), min(mean + half, bounds[1])
    return Interval(mean, std, low, high, n, "t", confidence)


def bootstrap_interval(
    frame: pd.DataFrame,
    metric: Callable[[pd.DataFrame], float],
    *,
    n_resamples: int,
    seed: int,
    group_column: str = "borehole_id",
    confidence: float = CONFIDENCE,
) -> Interval:
    """Percentile interval of `metric(frame)` over resamples of whole `group_column` groups."""
    groups = pd.unique(frame[group_column])
    point = float(metric(frame))
    if len(groups) < 2 or n_resamples < 1:
        return Interval(point, math.nan, math.nan, math.nan, len(groups), "borehole bootstrap")
    by_group = {g: part for g, part in frame.groupby(group_column, sort=False)}
    values = np.empty(n_resamples)
    for i, drawn in enumerate(_resampled_groups(len(groups), n_resamples, seed)):
        values[i] = metric(pd.concat([by_group[groups[j]] for j in drawn], ignore_index=True))
    return _percentile_interval(point, values, len(groups), confidence)


def bootstrap_group_totals(
    totals: np.ndarray,
    statistics: Callable[[np.ndarray], Mapping[str, float]],
    *,
    n_resamples: int,
    seed: int,
    confidence: float = CONFIDENCE,
) -> dict[str, Interval]:
    """`bootstrap_interval` for statistics of additive per-group totals (e.g. each borehole's
    confusion matrix): a resample's totals are the drawn groups' totals summed, so no rows are
    copied. `totals` has one entry per group along its first axis; `statistics` maps summed
    totals to named values. The resamples are those `bootstrap_interval` draws with the same
    seed and group count, so both give the same interval for the same statistic."""
    n_groups = int(totals.shape[0])
    points = statistics(totals.sum(axis=0))
    if n_groups < 2 or n_resamples < 1:
        return {
            name: Interval(float(v), math.nan, math.nan, math.nan, n_groups, "borehole bootstrap")
            for name, v in points.items()
        }
    flat = totals.reshape(n_groups, -1)
    values = {name: np.empty(n_resamples) for name in points}
    for i, drawn in enumerate(_resampled_groups(n_groups, n_resamples, seed)):
        weights = np.bincount(drawn, minlength=n_groups)
        summed = (weights @ flat).reshape(totals.shape[1:])
        for name, value in statistics(summed).items():
            values[name][i] = value
    return {
        name: _percentile_interval(float(points[name]), values[name], n_groups, confidence)
        for name in points
    }


def _resampled_groups(n_groups: int, n_resamples: int, seed: int) -> Iterator[np.ndarray]:
    """Group indices of each resample: `n_groups` drawn with replacement, seeded."""
    rng = np.random.default_rng(seed)
    for _ in range(n_resamples):
        yield rng.choice(n_groups, size=n_groups, replace=True)


def _percentile_interval(
    point: float, values: np.ndarray, n_groups: int, confidence: float
) -> Interval:
    tail = (1.0 - confidence) / 2.0
    low, high = np.nanquantile(values, [tail, 1.0 - tail])
    return Interval(
        point,
        float(np.nanstd(values, ddof=1)),
        float(low),
        float(high),
        n_groups,
        "borehole bootstrap",
        confidence,
    )


def group_folds(
    boreholes: Sequence[str], dominant_class: Sequence[str], n_folds: int, seed: int
) -> dict[str, int]:
    """Fold (0..n_folds-1) of each borehole, stratified by its dominant class where possible.

    Classes with fewer boreholes than folds cannot be spread over every fold; scikit-learn's
    `StratifiedKFold` then places them as evenly as it can (its warning is expected and muted).
    """
    names = list(boreholes)
    if len(set(names)) != len(names):
        raise ValueError("each borehole must appear once")
    if n_folds < 2 or n_folds > len(names):
        raise ValueError(
            f"{n_folds} folds of whole boreholes need at least 2 folds and {n_folds} boreholes; "
            f"the data have {len(names)}"
        )
    classes = np.asarray(list(dominant_class))
    _, counts = np.unique(classes, return_counts=True)
    if counts.max() >= n_folds:
        splitter: KFold | StratifiedKFold = StratifiedKFold(
            n_splits=n_folds, shuffle=True, random_state=seed
        )
    else:  # no class has a borehole for every fold: stratifying is impossible
        log.warning("no dominant class has %d boreholes: folds are not stratified", n_folds)
        splitter = KFold(n_splits=n_folds, shuffle=True, random_state=seed)
    folds: dict[str, int] = {}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        splits = splitter.split(np.zeros(len(names)), classes)
        for fold, (_, test_index) in enumerate(splits):
            for i in test_index:
                folds[names[i]] = fold
    return folds


def compare(a: Interval, b: Interval) -> str:
    """HIGHER if a's interval lies wholly above b's, LOWER if wholly below, else NO_DIFFERENCE."""
    if not (a.has_bounds and b.has_bounds):
        return NO_DIFFERENCE
    if a.low > b.high:
        return HIGHER
    if a.high < b.low:
        return LOWER
    return NO_DIFFERENCE


def interval_of(metrics: Mapping[str, Any], metric: str) -> Interval | None:
    """The run's interval of `metric` (None when the run does not report the metric)."""
    if metric not in metrics:
        return None
    payload = (metrics.get("intervals") or {}).get(metric)
    if payload is None:  # a run from before intervals: its point value, no bounds
        value = float(metrics[metric])
        return Interval(value, math.nan, math.nan, math.nan, 1, "none")
    return Interval(**{k: _number(v) if k != "method" else v for k, v in payload.items()})


def _number(value: Any) -> Any:
    if value is None:
        return math.nan
    return float(value) if isinstance(value, str) else value
