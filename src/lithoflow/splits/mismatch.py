"""Train/test distribution mismatch of several split methods, side by side.

Extends `analyze_train_test_distribution_mismatch.py` (docs/investigation.md §5) from the random
split to
every configured method: per class train/val/test counts and shares, the mismatch ratio
test% / train% (inf where train has no rows), the worst mismatches among classes with enough test
rows, the classes in test (or val) absent from train, and entropies and Jensen-Shannon divergences
over classes and groups.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.splits.methods import PARTS
from lithoflow.splits.statistics import part_class_counts, split_statistics

TABLE_COLUMNS: tuple[str, ...] = (
    "method",
    "label",
    "group",
    "total_count",
    "train_count",
    "val_count",
    "test_count",
    "train_percent",
    "val_percent",
    "test_percent",
    "test_train_ratio",
)
MIN_TEST_ROWS = 100
TOP_MISMATCHES = 20


def mismatch_ratio(test_percent: pd.Series, train_percent: pd.Series) -> pd.Series:
    """test% / train%: inf where train has no rows (and the class is in test), 0 where test has
    none, NaN where neither has rows."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = test_percent.to_numpy("float64") / train_percent.to_numpy("float64")
    return pd.Series(ratio, index=test_percent.index)


def method_table(
    method: str, counts: pd.DataFrame, label_to_group: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Per class rows for one method: counts, percent of each part and the mismatch ratio."""
    frame = pd.DataFrame({"method": method, "label": counts.index.astype(str)})
    frame["group"] = (
        [label_to_group.get(label, "") for label in frame["label"]] if label_to_group else ""
    )
    frame["total_count"] = counts.sum(axis=1).to_numpy()
    for part in PARTS:
        values = counts[part].to_numpy("int64")
        total = values.sum()
        frame[f"{part}_count"] = values
        frame[f"{part}_percent"] = values / total * 100.0 if total else np.nan
    frame["test_train_ratio"] = mismatch_ratio(
        frame["test_percent"], frame["train_percent"]
    ).to_numpy()
    return frame[list(TABLE_COLUMNS)]


def _fold_change(ratio: float) -> float:
    """How far a ratio is from 1, in either direction (max(r, 1/r))."""
    if ratio == 0:
        return math.inf
    return max(ratio, 1.0 / ratio)


def worst_mismatches(
    table: pd.DataFrame, min_test_rows: int = MIN_TEST_ROWS, top_n: int = TOP_MISMATCHES
) -> list[dict[str, Any]]:
    """The `top_n` classes with at least `min_test_rows` test rows whose share in test differs
    most from their share in train (fold change either way; inf first), ties by label."""
    eligible = table[table["test_count"] >= min_test_rows].copy()
    eligible["fold_change"] = [_fold_change(r) for r in eligible["test_train_ratio"]]
    eligible = eligible.sort_values(["fold_change", "label"], ascending=[False, True])
    columns = ["label", "group", "train_count", "val_count", "test_count"]
    columns += ["train_percent", "test_percent", "test_train_ratio", "fold_change"]
    return [
        {c: (row[c].item() if hasattr(row[c], "item") else row[c]) for c in columns}
        for _, row in eligible.head(top_n).iterrows()
    ]


def compare_methods(
    labels_by_method: Mapping[str, Mapping[str, pd.Series]],
    label_to_group: Mapping[str, str] | None = None,
    boreholes_by_method: Mapping[str, Mapping[str, pd.Series]] | None = None,
    min_test_rows: int = MIN_TEST_ROWS,
    top_n: int = TOP_MISMATCHES,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The per-class table of all methods (long format) and the summary per method.

    `labels_by_method[method][part]` holds the labels of a part's rows; `boreholes_by_method`, if
    given, the borehole ids of the same rows (for borehole counts).
    """
    tables = []
    summary: dict[str, Any] = {
        "min_test_rows": min_test_rows,
        "top_n": top_n,
        "methods": {},
    }
    for method, labels in labels_by_method.items():
        counts = part_class_counts(labels)
        table = method_table(method, counts, label_to_group)
        tables.append(table)
        stats = split_statistics(labels, label_to_group)
        rows = {part: int(counts[part].sum()) for part in PARTS}
        total = sum(rows.values())
        entry: dict[str, Any] = {
            "rows": rows,
            "row_fraction": {p: (n / total if total else math.nan) for p, n in rows.items()},
            "worst_mismatches": worst_mismatches(table, min_test_rows, top_n),
            **stats,
        }
        if boreholes_by_method is not None:
            entry["n_boreholes"] = {
                part: int(boreholes_by_method[method][part].nunique()) for part in PARTS
            }
        summary["methods"][method] = entry
    summary["comparison"] = comparison_rows(summary["methods"])
    frame = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=TABLE_COLUMNS)
    return frame, summary


def comparison_rows(methods: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One compact row per method: classes missing from train and JSDs (bits) per part."""
    rows = []
    for method, entry in methods.items():
        row: dict[str, Any] = {"method": method}
        for level in ("classes", "groups"):
            if level not in entry:
                continue
            stats = entry[level]
            for part in ("val", "test"):
                row[f"{level}_{part}_missing_from_train"] = stats["n_missing_from_train"][part]
            for part in PARTS:
                row[f"{level}_jsd_bits_{part}"] = stats["jsd_bits_from_whole"][part]
            row[f"{level}_jsd_bits_max"] = max(stats["jsd_bits_from_whole"].values())
        rows.append(row)
    return rows
