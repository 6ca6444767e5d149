"""The binned tables joined into one dataset (results/data/features.parquet): inner join on
(borehole_id, depth_bin_m) in config order, labels from the label table, the closed-range
filters, and the ingest report of rows and boreholes after every step."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lithoflow.core.dataset import (
    DEPTH_COLUMN,
    ID_COLUMNS,
    LABEL_COLUMN,
    Dataset,
    write_dataset,
)
from lithoflow.core.errors import ConfigError, InputDataError, format_list
from lithoflow.core.io import write_json, write_parquet
from lithoflow.ingest.config import IngestConfig
from lithoflow.ingest.rows import _reasons_text
from lithoflow.ingest.tables import BinnedTable

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MergedDataset:
    """The merged, filtered dataset, its feature order and the ingestion report."""

    frame: pd.DataFrame
    features: tuple[str, ...]
    report: dict[str, Any]


def _count(frame: pd.DataFrame) -> dict[str, int]:
    return {"rows": len(frame), "boreholes": int(frame["borehole_id"].nunique())}


def _require_rows(frame: pd.DataFrame, step: str, path: str, examples: pd.DataFrame) -> None:
    if len(frame) == 0:
        raise InputDataError(f"no rows left after {step}", path=path, examples=examples)


def _check_table_names(
    binned: Sequence[Dataset | BinnedTable], config: IngestConfig, paths
) -> None:
    """Binned inputs must be the configured tables, in config order."""
    names = config.table_names
    if len(binned) != len(names):
        raise ConfigError(
            f"config key ingest.tables: {len(names)} tables configured, {len(binned)} binned given"
        )
    for item, name in zip(binned, names, strict=True):
        found = item.name if isinstance(item, BinnedTable) else item.metadata.get("table", name)
        if found != name:
            raise InputDataError(
                f"expected the binned table {name!r} here, found {found!r}", path=paths.get(name)
            )


def _bin_step(name: str, report: Mapping[str, Any], frame: pd.DataFrame) -> dict[str, Any]:
    """The report row of one binned table: rows and boreholes in, rows dropped, bins out."""
    outside = {
        key: entry["rows_outside"] for key, entry in (report.get("valid_ranges") or {}).items()
    }
    return {
        "step": f"bin {name}",
        "rows_in": report.get("rows_read"),
        "boreholes_in": report.get("boreholes_read"),
        "removed": report.get("rows_dropped"),
        "reason": "raw rows dropped: " + _reasons_text(report.get("dropped", {})),
        "rows_outside_valid_ranges": outside,
        "invalid_rows": report.get("invalid_rows"),
        "duplicate_rows": report.get("duplicate_rows"),
        "boreholes_dropped": sorted(report.get("boreholes_dropped") or {}),
        **_count(frame),
    }


def _lost(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    """Boreholes with rows in `before` and none in `after`, sorted."""
    return sorted(set(before["borehole_id"].unique()) - set(after["borehole_id"].unique()))


def _join_tables(
    binned: Sequence[Dataset | BinnedTable], config: IngestConfig, paths: Mapping[str, str]
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Inner-join in config order on (borehole_id, depth_bin_m); label from the label table."""
    keys = ["borehole_id", DEPTH_COLUMN]
    steps: list[dict[str, Any]] = []
    merged = pd.DataFrame()
    for position, (item, spec) in enumerate(zip(binned, config.tables, strict=True)):
        take = [*spec.feature_names, spec.count_column]
        if spec.name == config.label_table:
            take.append(LABEL_COLUMN)
        if position == 0:
            merged = item.frame[[*ID_COLUMNS, DEPTH_COLUMN, *take]]
            continue
        right = item.frame[[*keys, *take]]
        joined = merged.merge(right, on=keys, how="inner", validate="one_to_one", sort=False)
        steps.append(
            {
                "step": f"join {spec.name}",
                **_count(joined),
                "removed": len(merged) - len(joined),
                "reason": f"bins without a {spec.name} bin at the same (borehole_id, depth_bin_m)",
                "unmatched_bins_of_table": len(right) - len(joined),
                "boreholes_dropped": _lost(merged, joined),
            }
        )
        logger.info("joined %s: %s rows -> %s", spec.name, f"{len(merged):,}", f"{len(joined):,}")
        _require_rows(joined, f"joining {spec.name}", paths.get(spec.name, spec.name), merged)
        merged = joined
    return merged, steps


def _apply_filters(
    merged: pd.DataFrame, config: IngestConfig, path: str
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Drop rows with a missing value, then each closed-range filter in config order (counted).

    With ``missing_features: keep`` only rows missing the label or every feature are dropped; the
    rows kept with some features missing are counted per feature, and a missing value passes the
    range filters (it is not out of range).
    """
    features = config.features
    keep_missing = config.missing_features == "keep"
    if keep_missing:
        complete = merged[LABEL_COLUMN].notna() & merged[list(features)].notna().any(axis=1)
        reason = "missing label or every feature missing"
    else:
        complete = merged[[*features, LABEL_COLUMN]].notna().all(axis=1)
        reason = "missing value"
    step: dict[str, Any] = {
        "step": "dropna",
        **_count(merged.loc[complete]),
        "removed": int((~complete).sum()),
        "reason": reason,
        "boreholes_dropped": _lost(merged, merged.loc[complete]),
    }
    steps = [step]
    _require_rows(merged.loc[complete], "dropna", path, merged.loc[~complete])
    merged = merged.loc[complete]
    if keep_missing:
        missing = merged[list(features)].isna()
        step["missing_features"] = "keep"
        step["rows_with_missing_features"] = int(missing.any(axis=1).sum())
        step["rows_missing"] = {f: int(missing[f].sum()) for f in features}
        logger.info(
            "kept %s rows with some features missing (ingest.missing_features: keep): %s",
            f"{step['rows_with_missing_features']:,}",
            _reasons_text(step["rows_missing"]),
        )
    for rule in config.step_setting("filters"):
        if rule.feature not in features:
            raise ConfigError(
                f"config key ingest.filters.{rule.feature}: not a feature ({format_list(features)})"
            )
        values = merged[rule.feature]
        inside = ((values >= rule.minimum) & (values <= rule.maximum)) | values.isna()
        steps.append(
            {
                "step": f"filter {rule.feature}",
                "range": [rule.minimum, rule.maximum],
                **_count(merged.loc[inside]),
                "removed": int((~inside).sum()),
                "reason": rule.reason,
                "boreholes_dropped": _lost(merged, merged.loc[inside]),
            }
        )
        logger.info("filter %s: removed %s rows", rule.reason, f"{int((~inside).sum()):,}")
        _require_rows(merged.loc[inside], f"filter {rule.reason}", path, merged.loc[~inside])
        merged = merged.loc[inside]
    return merged, steps


def _named_dropped_boreholes(
    steps: Sequence[Mapping[str, Any]], reports: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, str]]:
    """Every borehole that some step removed entirely, once (the first step), with the reason;
    each is also logged as a warning."""
    named: list[dict[str, str]] = []
    seen: set[str] = set()
    for step in steps:
        table = step["step"][len("bin ") :] if step["step"].startswith("bin ") else None
        per_table = (reports.get(table) or {}).get("boreholes_dropped") or {} if table else {}
        for borehole in step.get("boreholes_dropped") or []:
            if borehole in seen:
                continue
            seen.add(borehole)
            reason = per_table.get(borehole) or step["reason"]
            named.append({"borehole_id": borehole, "step": step["step"], "reason": reason})
            logger.warning("borehole %s dropped at step %r: %s", borehole, step["step"], reason)
    return named


def merge_tables(
    binned: Sequence[Dataset | BinnedTable],
    config: IngestConfig,
    table_reports: Mapping[str, Mapping[str, Any]] | None = None,
    paths: Mapping[str, str] | None = None,
) -> MergedDataset:
    """Inner-join binned tables in config order, take labels from the label table, filter.

    `binned` holds one binned table per configured table, in config order; `table_reports` the
    binning reports (taken from `BinnedTable`s when not given) and `paths` the files, for messages.
    Rows come out sorted by borehole_id (string order), then depth: the investigation's splits
    depend on this order.
    """
    paths = dict(paths or {})
    _check_table_names(binned, config, paths)
    names = config.table_names
    reports = {
        name: dict((table_reports or {}).get(name) or getattr(item, "report", {}))
        for name, item in zip(names, binned, strict=True)
    }
    steps = [
        _bin_step(name, reports[name], item.frame) for name, item in zip(names, binned, strict=True)
    ]
    merged, join_steps = _join_tables(binned, config, paths)
    label_path = paths.get(config.step_setting("label_table"), config.label_table)
    merged, filter_steps = _apply_filters(merged, config, label_path)

    features = config.features
    counts = [spec.count_column for spec in config.tables]
    columns = [*ID_COLUMNS, DEPTH_COLUMN, LABEL_COLUMN, *features, *counts]
    merged = merged.sort_values(["borehole_id", DEPTH_COLUMN], kind="stable")
    merged = merged[columns].reset_index(drop=True)
    dropped = _named_dropped_boreholes([*steps, *join_steps, *filter_steps], reports)
    label_counts = merged[LABEL_COLUMN].value_counts().sort_index()
    label_counts = label_counts.sort_values(ascending=False, kind="stable")
    report = {
        "source": config.source,
        "bin_size_m": config.bin_size_m,
        "label_table": config.label_table,
        "tables": reports,
        "features": list(features),
        "steps": [*steps, *join_steps, *filter_steps],
        "boreholes_dropped": dropped,
        "final": {
            **_count(merged),
            "labels": len(label_counts),
            "top_labels": {str(k): int(v) for k, v in label_counts.head(10).items()},
        },
    }
    if config.missing_features == "keep":
        missing = merged[list(features)].isna()
        report["missing_features"] = "keep"
        report["final"]["rows_with_missing_features"] = int(missing.any(axis=1).sum())
        report["final"]["rows_missing"] = {f: int(missing[f].sum()) for f in features}
    return MergedDataset(frame=merged, features=features, report=report)


def write_merged(
    merged: MergedDataset,
    config: IngestConfig,
    parquet_path: str | os.PathLike[str],
    report_path: str | os.PathLike[str],
) -> None:
    """Write the merged dataset (feature list in metadata) and the ingestion report."""
    write_dataset(
        parquet_path,
        merged.frame,
        merged.features,
        {
            "source": config.source,
            "bin_size_m": config.bin_size_m,
            "label_table": config.label_table,
            "tables": list(config.table_names),
        },
    )
    write_json(report_path, merged.report)


def unlabelled_bins(
    merged: MergedDataset, config: IngestConfig, tables: Sequence[pd.DataFrame]
) -> pd.DataFrame:
    """The unlabelled bins that join the log the depth context is built from: for one-table
    sources (LAS, a tidy table), that table's unlabelled bins inside the range filters (a missing
    value passes, as for the labelled rows) and not already in the dataset; none for LILY's
    several tables (whose labels come from one table only)."""
    columns = ["borehole_id", DEPTH_COLUMN, *merged.features]
    if len(tables) != 1 or len(config.tables) != 1:
        return pd.DataFrame(
            {c: pd.Series(dtype=object if c == "borehole_id" else float) for c in columns}
        )
    frame = tables[0].copy()
    for rule in config.step_setting("filters"):
        values = frame[rule.feature]
        frame = frame[values.isna() | values.between(rule.minimum, rule.maximum)]
    boreholes = set(merged.frame["borehole_id"])
    frame = frame[frame["borehole_id"].isin(boreholes)]
    frame = frame.sort_values(["borehole_id", DEPTH_COLUMN], kind="stable")
    return frame[columns].reset_index(drop=True)


def write_unlabelled(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write the unlabelled bins (results/data/unlabelled.parquet)."""
    features = [c for c in frame.columns if c not in ("borehole_id", DEPTH_COLUMN)]
    write_parquet(path, frame, {"features": features, "rows": len(frame)})
    if len(frame):
        logger.info(
            "%s unlabelled bins in %d boreholes join the depth context (no class, no score)",
            f"{len(frame):,}",
            frame["borehole_id"].nunique(),
        )


def format_report(report: Mapping[str, Any]) -> str:
    """The ingestion report as a readable table (as in docs/investigation.md §1)."""
    lines = [f"{'step':<28} {'rows -> bins (boreholes)':<36} {'removed':>10}  reason"]
    for step in report["steps"]:
        if step["step"].startswith("bin "):
            counts = f"{_fmt(step['rows_in'])} -> {_fmt(step['rows'])} ({_fmt(step['boreholes'])})"
        else:
            counts = f"{_fmt(step['rows'])} ({_fmt(step['boreholes'])})"
        lines.append(
            f"{step['step']:<28} {counts:<36} {_fmt(step.get('removed')):>10}  {step['reason']}"
        )
    final = report["final"]
    lines.append(
        f"{'final':<28} {_fmt(final['rows'])} bins, {_fmt(final['boreholes'])} boreholes, "
        f"{_fmt(final['labels'])} labels"
    )
    for entry in report.get("boreholes_dropped") or []:
        lines.append(
            f"borehole {entry['borehole_id']} dropped at {entry['step']!r}: {entry['reason']}"
        )
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    return "?" if value is None else f"{value:,}"
