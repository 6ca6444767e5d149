"""The summary of a prediction over boreholes (results/predict/summary.csv).

One row per borehole: its samples, how many the model was applied to, the share of flagged
samples, the share of each predicted class, and, where the borehole has labels, accuracy,
balanced accuracy, macro-F1 and the penalty score when the config has a penalty matrix. A last
row (``borehole_id`` ``all``) pools every labelled borehole's samples and gives each score a 95 %
percentile interval from resampling whole boreholes (rows of one borehole are not independent).

Scored are the labelled samples the model was applied to. A label the model never saw is a
class of its own, counted per borehole, and always an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.stats import metrics as mt
from lithoflow.stats.intervals import bootstrap_group_totals

ALL = "all"
SCORES = ("accuracy", "balanced_accuracy", "macro_f1")


def scored_classes(classes: Sequence[str], tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """The model's classes, then the labels of the boreholes the model never saw (sorted)."""
    seen: set[str] = set()
    for table in tables.values():
        if "true" in table.columns:
            seen |= set(table["true"].dropna().astype(str))
    return [*classes, *sorted(seen - set(classes))]


def confusion_of(table: pd.DataFrame, classes: Sequence[str]) -> np.ndarray | None:
    """The confusion counts (true × predicted, over `classes`) of the labelled, applied samples
    of one borehole; None when it has no label."""
    if "true" not in table.columns:
        return None
    scored = table["true"].notna().to_numpy() & table["applied"].to_numpy()
    if not scored.any():
        return None
    index = {name: i for i, name in enumerate(classes)}
    true = np.asarray([index[str(v)] for v in table.loc[scored, "true"]], dtype=np.int64)
    pred = np.asarray([index[str(v)] for v in table.loc[scored, "predicted"]], dtype=np.int64)
    return mt.confusion_matrix(true, pred, len(classes))


def summarize(
    tables: Mapping[str, pd.DataFrame],
    reports: Mapping[str, Mapping[str, Any]],
    classes: Sequence[str],
    *,
    penalty: pd.DataFrame | None = None,
    penalty_path: str = "",
    training_boreholes: Sequence[str] = (),
    n_resamples: int = 1000,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """summary.csv's rows and a JSON summary with the pooled scores and their intervals."""
    names = scored_classes(classes, tables)
    costs = None
    if penalty is not None:
        costs = mt.penalty_costs(names, penalty, penalty_path)
    training = set(training_boreholes)
    rows = []
    confusions: dict[str, np.ndarray] = {}
    for borehole in sorted(tables):
        table, report = tables[borehole], reports[borehole]
        row: dict[str, Any] = {
            "borehole_id": borehole,
            "model": report.get("model"),
            "samples": int(report.get("samples", len(table))),
            "samples_applied": int(report.get("samples_applied", 0)),
            "flagged_share": report.get("flagged_share"),
            "labelled_samples": int(report.get("labelled_samples", 0)),
            "labels_unseen_in_training": sum(
                (report.get("labels_unseen_in_training") or {}).values()
            ),
            "in_training": borehole in training,
            "status": "empty: no depth samples" if report.get("empty") else "classified",
            "notes": "; ".join(report.get("notes") or []),
        }
        for name in classes:
            row[f"share_{name}"] = (report.get("class_shares") or {}).get(name, 0.0)
        counts = confusion_of(table, names)
        if counts is not None:
            confusions[borehole] = counts
            row.update(mt.scores_of_counts(counts, costs))
        rows.append(row)
    pooled: dict[str, Any] = {"boreholes_scored": sorted(confusions), "classes": names}
    if confusions:
        stacked = np.stack([confusions[b] for b in sorted(confusions)])
        total = stacked.sum(axis=0)
        point = mt.scores_of_counts(total, costs)
        intervals = bootstrap_group_totals(
            stacked,
            lambda counts: mt.scores_of_counts(counts, costs),
            n_resamples=n_resamples,
            seed=seed,
        )
        all_row: dict[str, Any] = {
            "borehole_id": ALL,
            "samples": sum(r["samples"] for r in rows),
            "samples_applied": sum(r["samples_applied"] for r in rows),
            "labelled_samples": sum(r["labelled_samples"] for r in rows),
            "labels_unseen_in_training": sum(r["labels_unseen_in_training"] for r in rows),
            "status": f"pooled over {len(confusions)} labelled boreholes",
        }
        for name, value in point.items():
            all_row[name] = value
            all_row[f"{name}_low"] = intervals[name].low
            all_row[f"{name}_high"] = intervals[name].high
        rows.append(all_row)
        pooled["scores"] = point
        pooled["intervals"] = {name: interval.to_dict() for name, interval in intervals.items()}
        pooled["interval_method"] = (
            f"percentile interval of {n_resamples} resamples of whole labelled boreholes"
        )
    collided = sorted(set(tables) & training)
    pooled["boreholes_in_training"] = collided
    return pd.DataFrame(rows), pooled
