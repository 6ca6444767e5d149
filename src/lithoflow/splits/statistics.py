"""Statistics and the report of a borehole split: rows, boreholes, entropies, divergences and the
classes (and groups) that val or test hold but train lacks.

Kept apart from `lithoflow.splits.methods` so that editing the report reruns the reports only,
never the splits or the models trained on them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from lithoflow.core.errors import InputDataError, format_list
from lithoflow.splits.information import entropy_bits, jsd_bits_rows, normalise_rows
from lithoflow.splits.methods import BOREHOLE_COLUMN, LABEL_COLUMN, PARTS


def part_class_counts(labels_by_part: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Rows per class (index, sorted) and part (columns train, val, test), int64."""
    columns = {
        part: labels_by_part[part].astype(str).value_counts() if part in labels_by_part else None
        for part in PARTS
    }
    table = pd.DataFrame({p: c for p, c in columns.items() if c is not None})
    table = table.reindex(columns=list(PARTS)).fillna(0).astype("int64")
    return table.sort_index()


def _part_statistics(part_counts: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Entropy (bits) and JSD (bits) from the whole of each part, for one count table."""
    whole = part_counts.sum(axis=1).to_numpy(dtype="float64")
    whole_dist = whole / whole.sum() if whole.sum() else whole
    stats: dict[str, dict[str, float]] = {}
    for part in PARTS:
        values = part_counts[part].to_numpy(dtype="float64")
        jsd = jsd_bits_rows(whole_dist, normalise_rows(values)) if values.sum() else math.nan
        stats[part] = {"entropy_bits": entropy_bits(values), "jsd_bits": float(jsd)}
    stats["whole"] = {"entropy_bits": entropy_bits(whole), "jsd_bits": 0.0}
    return stats


def missing_from_train(part_counts: pd.DataFrame, part: str) -> dict[str, int]:
    """Classes present in `part` but absent from train, with their rows in `part`."""
    mask = (part_counts["train"] == 0) & (part_counts[part] > 0)
    return {str(k): int(v) for k, v in part_counts.loc[mask, part].items()}


def split_statistics(
    labels_by_part: Mapping[str, pd.Series], label_to_group: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Entropies, JSDs and classes (and groups) missing from train, per part."""
    by_class = part_class_counts(labels_by_part)
    levels = {"classes": by_class}
    if label_to_group is not None:
        missing = sorted(set(by_class.index) - set(label_to_group))
        if missing:
            raise InputDataError(
                f"labels missing from the hierarchy mapping: {format_list(missing)}"
            )
        levels["groups"] = by_class.groupby(by_class.index.map(label_to_group)).sum()
    result: dict[str, Any] = {}
    for level, table in levels.items():
        stats = _part_statistics(table)
        result[level] = {
            "n_total": int((table.sum(axis=1) > 0).sum()),
            "entropy_bits": {part: stats[part]["entropy_bits"] for part in (*PARTS, "whole")},
            "jsd_bits_from_whole": {part: stats[part]["jsd_bits"] for part in PARTS},
            "present": {part: int((table[part] > 0).sum()) for part in PARTS},
            "missing_from_train": {
                part: missing_from_train(table, part) for part in ("val", "test")
            },
            "n_missing_from_train": {
                part: len(missing_from_train(table, part)) for part in ("val", "test")
            },
        }
    return result


def split_report(
    parts: Mapping[str, pd.DataFrame],
    parameters: Mapping[str, Any],
    label_to_group: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The split report: per part boreholes, rows, row fraction; entropies and JSDs over classes
    and groups; classes in val or test absent from train; the method's parameters."""
    total_rows = sum(len(parts[p]) for p in PARTS)
    report: dict[str, Any] = {"method": parameters.get("method"), "parameters": dict(parameters)}
    report["total_rows"] = total_rows
    report["parts"] = {}
    for part in PARTS:
        boreholes = sorted(parts[part][BOREHOLE_COLUMN].astype(str).unique())
        report["parts"][part] = {
            "n_boreholes": len(boreholes),
            "boreholes": boreholes,
            "rows": len(parts[part]),
            "row_fraction": len(parts[part]) / total_rows if total_rows else math.nan,
        }
    labels = {part: parts[part][LABEL_COLUMN] for part in PARTS}
    report.update(split_statistics(labels, label_to_group))
    return report
