"""Raw rows of one table before binning: read, incomplete rows dropped (counted by reason), rows
outside the physical ranges and exact duplicates counted (dropped only when the config says so),
and the boreholes that lose every row named."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lithoflow.core.config import DEPTH_RANGE_KEY
from lithoflow.core.errors import InputDataError, format_list
from lithoflow.ingest.config import IngestConfig, TableSpec, ValidRange
from lithoflow.ingest.las import read_las_rows
from lithoflow.ingest.readers import RawRows, read_lily_table, read_tidy_table


def read_table_rows(
    path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    config: IngestConfig,
    spec: TableSpec,
    *,
    use_threads: bool = True,
) -> RawRows:
    """Read the id, depth, label and measurement columns of one raw table.

    For the las source `path` is the list of LAS files (one well each).
    """
    if config.las is not None:
        paths = [path] if isinstance(path, str | os.PathLike) else list(path)
        return read_las_rows(paths, config.las)
    columns = config.columns
    if columns.borehole:
        return read_tidy_table(
            path,
            borehole=columns.borehole,
            depth=columns.depth,
            label=columns.label,
            value_columns=spec.raw_columns,
            use_threads=use_threads,
        )
    return read_lily_table(
        path,
        exp=columns.exp,
        site=columns.site,
        hole=columns.hole,
        depth=columns.depth,
        label=columns.label,
        value_columns=spec.raw_columns,
        use_threads=use_threads,
    )


@dataclass(frozen=True)
class CleanRows:
    """Rows kept for binning and the count of rows dropped per reason (in check order).

    `reason` holds, per raw row, the index in `reasons` of the first reason that dropped it, or -1
    for a kept row; it names why a borehole lost all its rows.
    """

    keep: np.ndarray  # bool per raw row
    dropped: dict[str, int]
    reasons: tuple[str, ...] = ()
    reason: np.ndarray | None = None  # int per raw row


ALL_FEATURES_MISSING = "missing_all_features"
# A magnitude no measurement of a log or core table reaches (beyond it: a fill value or garbage).
ABSURD = 1e15


def drop_missing(rows: RawRows, spec: TableSpec, missing_features: str = "drop") -> CleanRows:
    """Mark rows with a missing id, depth, label or measurement; fail on unusable input.

    Each dropped row is counted once, under the first reason that applies (id, depth, label, then
    each feature). With `missing_features` "keep" a row missing some measurements stays (the bin
    means take the values present) and only a row missing every measurement of the table is
    dropped, counted as ``missing_all_features``. Raises InputDataError for a borehole whose
    depths are all missing, an infinite depth, or when no row is left.
    """
    path = rows.path
    if rows.n_rows == 0:
        raise InputDataError("the table has a header but no data rows", path=path)
    has_id = rows.borehole_code >= 0
    depth_nan = np.isnan(rows.depth_m)
    infinite = np.isinf(rows.depth_m)
    if infinite.any():
        raise InputDataError(
            "infinite depth values",
            path=path,
            column=rows.depth_column,
            examples=rows.example_rows(infinite),
        )
    n_boreholes = len(rows.borehole_ids)
    rows_per_borehole = np.bincount(rows.borehole_code[has_id], minlength=n_boreholes)
    with_depth = np.bincount(rows.borehole_code[has_id & ~depth_nan], minlength=n_boreholes)
    no_depth = (rows_per_borehole > 0) & (with_depth == 0)
    if no_depth.any():
        names = rows.borehole_ids[no_depth]
        mask = has_id & no_depth[np.maximum(rows.borehole_code, 0)]
        raise InputDataError(
            f"borehole(s) {format_list(names)} have no depth at all (every depth is missing)",
            path=path,
            column=rows.depth_column,
            examples=rows.example_rows(mask),
        )
    reasons: list[tuple[str, np.ndarray]] = [
        ("missing_borehole_id", ~has_id),
        ("missing_depth", depth_nan),
        ("missing_label", rows.label_code < 0),
    ]
    if missing_features == "keep":
        reasons.append((ALL_FEATURES_MISSING, np.isnan(rows.values).all(axis=1)))
    else:
        for j, feature in enumerate(spec.feature_names):
            reasons.append((f"missing_{feature}", np.isnan(rows.values[:, j])))
    reasons.extend(rows.row_filters)
    keep = np.ones(rows.n_rows, dtype=bool)
    dropped: dict[str, int] = {}
    first_reason = np.full(rows.n_rows, -1, dtype=np.int64)
    for position, (reason, missing) in enumerate(reasons):
        newly = missing & keep
        dropped[reason] = int(newly.sum())
        first_reason[newly] = position
        keep &= ~missing
    if not keep.any():
        raise InputDataError(
            f"no rows left after dropping rows with missing values ({_reasons_text(dropped)})",
            path=path,
            examples=rows.example_rows(~keep),
        )
    return CleanRows(
        keep=keep, dropped=dropped, reasons=tuple(r for r, _ in reasons), reason=first_reason
    )


@dataclass(frozen=True)
class RowChecks:
    """Per-row checks after `drop_missing`: rows outside the valid ranges, exact duplicates."""

    outside: dict[str, np.ndarray]  # range name -> bool per raw row (among rows kept so far)
    duplicate: np.ndarray  # bool per raw row: repeats an earlier kept row exactly
    # feature -> (its raw column, bool per raw row): an infinite value, or one no measurement
    # can take (|x| > ABSURD), among the rows kept so far
    non_finite: dict[str, tuple[str, np.ndarray]] = field(default_factory=dict)


def check_rows(
    rows: RawRows, spec: TableSpec, valid_ranges: Sequence[ValidRange], keep: np.ndarray
) -> RowChecks:
    """Find the kept rows outside each valid range that applies to this table, and the kept rows
    that repeat an earlier kept row exactly (borehole, depth, label and every measurement)."""
    columns = {DEPTH_RANGE_KEY: rows.depth_m}
    for j, feature in enumerate(spec.feature_names):
        columns[feature] = rows.values[:, j]
    outside = {
        rule.name: rule.outside(columns[rule.name]) & keep
        for rule in valid_ranges
        if rule.name in columns
    }
    non_finite = {}
    for j, feature in enumerate(spec.feature_names):
        values = rows.values[:, j]
        with np.errstate(invalid="ignore"):
            bad = (np.isinf(values) | (np.abs(values) > ABSURD)) & keep
        if bad.any():
            non_finite[feature] = (spec.raw_columns[j], bad)
    key = pd.DataFrame(
        {"b": rows.borehole_code, "d": rows.depth_m, "l": rows.label_code}
        | {f"v{j}": rows.values[:, j] for j in range(rows.values.shape[1])}
    )
    duplicate = np.zeros(rows.n_rows, dtype=bool)
    duplicate[keep] = key.loc[keep].duplicated(keep="first").to_numpy()
    return RowChecks(outside=outside, duplicate=duplicate, non_finite=non_finite)


def _apply_row_checks(
    rows: RawRows, clean: CleanRows, checks: RowChecks, config: IngestConfig
) -> CleanRows:
    """Drop the rows the config says to drop (invalid_rows, duplicate_rows: drop). Values no
    measurement can take (infinite, or beyond ±ABSURD) are dropped with invalid_rows: drop, and
    refused otherwise (a kept row cannot carry them into the dataset)."""
    steps: list[tuple[str, np.ndarray]] = []
    invalid = config.step_setting("invalid_rows")
    for feature, (column, mask) in checks.non_finite.items():
        if invalid != "drop":
            raise InputDataError(
                f"{int(mask.sum()):,} value(s) of {feature} are infinite or beyond ±{ABSURD:g}, "
                "which no measurement can be: fix the file, or set ingest.invalid_rows: drop "
                "to drop those rows (counted in the ingest report)",
                path=rows.path,
                column=column,
                examples=rows.example_rows(mask),
            )
        steps.append((f"non_finite_{feature}", mask))
    if invalid == "drop":
        steps += [(f"outside_valid_range_{name}", mask) for name, mask in checks.outside.items()]
    if config.step_setting("duplicate_rows") == "drop":
        steps.append(("duplicate_row", checks.duplicate))
    keep = clean.keep.copy()
    dropped = dict(clean.dropped)
    reason = clean.reason.copy()
    reasons = list(clean.reasons)
    for name, mask in steps:
        newly = mask & keep
        dropped[name] = int(newly.sum())
        reason[newly] = len(reasons)
        reasons.append(name)
        keep &= ~mask
    if not keep.any():
        raise InputDataError(
            f"no rows left after dropping rows ({_reasons_text(dropped)})",
            path=rows.path,
            examples=rows.example_rows(~keep),
        )
    return CleanRows(keep=keep, dropped=dropped, reasons=tuple(reasons), reason=reason)


NO_DATA_ROWS = "no data rows (header only)"


def _dropped_boreholes(rows: RawRows, clean: CleanRows) -> dict[str, str]:
    """Borehole id -> why it lost every row (the count of its rows per reason), or why it had
    none (a LAS file with a header only is a borehole without rows)."""
    has_id = rows.borehole_code >= 0
    n = len(rows.borehole_ids)
    read = np.bincount(rows.borehole_code[has_id], minlength=n)
    kept = np.bincount(rows.borehole_code[has_id & clean.keep], minlength=n)
    named = {}
    for code in np.flatnonzero(kept == 0):
        if read[code] == 0:
            named[str(rows.borehole_ids[code])] = NO_DATA_ROWS
            continue
        mine = has_id & (rows.borehole_code == code)
        counts = np.bincount(clean.reason[mine], minlength=len(clean.reasons))
        why = {clean.reasons[i]: int(c) for i, c in enumerate(counts) if c}
        named[str(rows.borehole_ids[code])] = (
            f"all {int(read[code]):,} rows dropped ({_reasons_text(why)})"
        )
    return named


def _reasons_text(dropped: Mapping[str, int]) -> str:
    parts = [f"{reason}: {count:,}" for reason, count in dropped.items() if count]
    return ", ".join(parts) if parts else "none"
