"""Class-imbalance report of a label (or group) column: the table and its summary figures.

Reproduces `analyze_lithology_distribution.py` (docs/investigation.md §5): per class count, share,
rank and
cumulative share; max/min ratio, median and mean class size, classes under 1% and 0.1% of rows (and
the rows they hold), and the classes with a single row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from lithoflow.splits.information import entropy_bits, entropy_nats

TABLE_COLUMNS: tuple[str, ...] = ("rank", "name", "count", "percent", "cumulative_percent")
RARE_THRESHOLDS_PERCENT: tuple[float, ...] = (1.0, 0.1)


def class_counts(labels: pd.Series) -> pd.Series:
    """Rows per class, sorted by count (descending), then name."""
    counts = labels.astype(str).value_counts()
    return sort_counts(counts)


def sort_counts(counts: pd.Series) -> pd.Series:
    """`counts` sorted by value (descending), then by name, as int64."""
    frame = pd.DataFrame({"name": counts.index.astype(str), "count": counts.to_numpy("int64")})
    frame = frame.sort_values(["count", "name"], ascending=[False, True], kind="mergesort")
    return pd.Series(frame["count"].to_numpy(), index=pd.Index(frame["name"], name="name"))


def distribution_table(counts: pd.Series) -> pd.DataFrame:
    """Per class: rank (1 = largest), name, count, percent of rows and cumulative percent."""
    ordered = sort_counts(counts)
    total = int(ordered.sum())
    percent = ordered / total * 100.0 if total else ordered * 0.0
    return pd.DataFrame(
        {
            "rank": range(1, len(ordered) + 1),
            "name": ordered.index,
            "count": ordered.to_numpy(),
            "percent": percent.to_numpy(),
            "cumulative_percent": percent.cumsum().to_numpy(),
        }
    )[list(TABLE_COLUMNS)]


def _threshold_key(threshold_percent: float) -> str:
    return f"under_{threshold_percent:g}_percent"


def imbalance_summary(
    counts: pd.Series,
    thresholds_percent: Sequence[float] = RARE_THRESHOLDS_PERCENT,
    top_n: int = 20,
) -> dict[str, Any]:
    """Summary figures of the class imbalance of `counts` (rows per class)."""
    ordered = sort_counts(counts)
    total = int(ordered.sum())
    n_classes = len(ordered)
    if n_classes == 0 or total == 0:
        return {"total_rows": total, "n_classes": n_classes}
    percent = ordered / total * 100.0
    largest, smallest = int(ordered.iloc[0]), int(ordered.iloc[-1])
    summary: dict[str, Any] = {
        "total_rows": total,
        "n_classes": n_classes,
        "largest_class": {"name": str(ordered.index[0]), "count": largest},
        "smallest_classes": {
            "names": sorted(str(n) for n in ordered.index[ordered == smallest]),
            "count": smallest,
        },
        "max_min_ratio": largest / smallest,
        "median_class_size": float(ordered.median()),
        "mean_class_size": float(ordered.mean()),
        "entropy_bits": entropy_bits(ordered.to_numpy()),
        "entropy_nats": entropy_nats(ordered.to_numpy()),
        f"top_{top_n}_cumulative_percent": float(percent.iloc[:top_n].sum()),
        "single_row_classes": sorted(str(n) for n in ordered.index[ordered == 1]),
    }
    summary["n_single_row_classes"] = len(summary["single_row_classes"])
    for threshold in thresholds_percent:
        rare = percent < threshold
        summary[_threshold_key(threshold)] = {
            "threshold_percent": threshold,
            "n_classes": int(rare.sum()),
            "percent_of_classes": float(rare.sum() / n_classes * 100.0),
            "rows": int(ordered[rare].sum()),
            "percent_of_rows": float(ordered[rare].sum() / total * 100.0),
        }
    return summary


def imbalance_report(counts: pd.Series, level: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The distribution table and the summary (with the `level`, e.g. "lithology" or "group")."""
    table = distribution_table(counts)
    summary = {"level": level, **imbalance_summary(counts)}
    return table, summary
