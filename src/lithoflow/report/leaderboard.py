"""The leaderboard: every classifier run's scores with their 95 % intervals, one row per run.

Rows are grouped by target (lithology and group runs have different classes and chance levels)
and by the rows the scores come from (`scored_on`: a split's test boreholes, or out-of-fold
predictions over a pool of boreholes), and ranked by balanced accuracy within each group: runs
scored on different boreholes are not ranked against each other. A run's
`distinguishable_from_best` says whether its interval and the best run's interval of its group
are separate (`lithoflow.stats.intervals.compare`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from lithoflow.classifiers.provenance import settings_origin
from lithoflow.stats.intervals import NO_DIFFERENCE, Interval, compare, interval_of

METRICS: tuple[str, ...] = ("balanced_accuracy", "accuracy", "macro_f1", "penalty_score")
RANK_METRIC = "balanced_accuracy"
COLUMNS: tuple[str, ...] = (
    "rank",
    "run",
    "target",
    "model",
    "input",
    "context",
    "smoothing",
    "missing",
    "settings",
    "evaluation",
    "scored_on",
    "units",
    "n_classes",
    *(f"{m}_{part}" for m in METRICS for part in ("mean", "low", "high")),
    "distinguishable_from_best",
)


def leaderboard_frame(runs: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """One row per run (run name -> its metrics.json), ranked within each target."""
    rows = []
    for run, metrics in runs.items():
        spec = metrics.get("spec", {})
        smoothing = spec.get("smoothing")
        row: dict[str, Any] = {
            "run": run,
            "target": spec.get("target", ""),
            "model": metrics["model"],
            "input": spec.get("input", ""),
            "context": spec.get("context") or "",
            "smoothing": f"{smoothing['method']} {smoothing['window_m']:g} m" if smoothing else "",
            "missing": spec.get("missing", ""),
            "settings": settings_origin(metrics),
            "evaluation": metrics.get("evaluation", "split"),
            "scored_on": scored_on(metrics),
            "units": int(metrics.get("n_units", 1)),
            "n_classes": int(metrics.get("n_classes", 0)),
        }
        for metric in METRICS:
            interval = interval_of(metrics, metric)
            for part in ("mean", "low", "high"):
                row[f"{metric}_{part}"] = getattr(interval, part) if interval else math.nan
        rows.append(row)
    frame = pd.DataFrame(
        rows, columns=[c for c in COLUMNS if c not in ("rank", "distinguishable_from_best")]
    )
    if frame.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    groups = ["target", "scored_on"]
    frame = frame.sort_values(
        [*groups, f"{RANK_METRIC}_mean", "run"],
        ascending=[True, True, False, True],
        kind="stable",
    )
    frame.insert(0, "rank", frame.groupby(groups).cumcount() + 1)
    distinct = []
    for _, row in frame.iterrows():
        same_group = (frame["target"] == row["target"]) & (frame["scored_on"] == row["scored_on"])
        best = frame[same_group & (frame["rank"] == 1)].iloc[0]
        if row["rank"] == 1:
            distinct.append("best")
            continue
        verdict = compare(_row_interval(best), _row_interval(row))
        distinct.append("no" if verdict == NO_DIFFERENCE else "yes")
    frame["distinguishable_from_best"] = distinct
    return frame[list(COLUMNS)].reset_index(drop=True)


def scored_on(metrics: Mapping[str, Any]) -> str:
    """The boreholes a run's scores come from: a split's test boreholes, or out-of-fold
    predictions over every borehole or over a split's train and val boreholes (`cv_pool`)."""
    spec = metrics.get("spec", {})
    if metrics.get("evaluation", "split") != "group_kfold":
        return f"test boreholes of split {spec.get('split', '')}"
    if spec.get("cv_pool") == "train_val":
        return f"out of fold, train and val boreholes of split {spec.get('split', '')}"
    return "out of fold, every borehole"


def _row_interval(row: pd.Series) -> Interval:
    return Interval(
        row[f"{RANK_METRIC}_mean"], math.nan, row[f"{RANK_METRIC}_low"],
        row[f"{RANK_METRIC}_high"], int(row["units"]), "t",
    )  # fmt: skip
