"""The leaderboard: every classifier run's scores with their 95 % intervals, one row per run.

Rows are grouped by target (lithology and group runs have different classes and chance levels, so
only runs of the same target are ranked together) and ranked by balanced accuracy. A run's
`distinguishable_from_best` says whether its interval and the best run's interval of the same
target are separate (`lithoflow.stats.intervals.compare`).
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
    frame = frame.sort_values(
        ["target", f"{RANK_METRIC}_mean", "run"], ascending=[True, False, True], kind="stable"
    )
    frame.insert(0, "rank", frame.groupby("target").cumcount() + 1)
    distinct = []
    for _, row in frame.iterrows():
        best = frame[(frame["target"] == row["target"]) & (frame["rank"] == 1)].iloc[0]
        if row["rank"] == 1:
            distinct.append("best")
            continue
        verdict = compare(_row_interval(best), _row_interval(row))
        distinct.append("no" if verdict == NO_DIFFERENCE else "yes")
    frame["distinguishable_from_best"] = distinct
    return frame[list(COLUMNS)].reset_index(drop=True)


def _row_interval(row: pd.Series) -> Interval:
    return Interval(
        row[f"{RANK_METRIC}_mean"], math.nan, row[f"{RANK_METRIC}_low"],
        row[f"{RANK_METRIC}_high"], int(row["units"]), "t",
    )  # fmt: skip
