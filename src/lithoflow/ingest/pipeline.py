"""Ingestion: raw borehole tables -> per-table binned datasets -> one merged, filtered dataset.

Recipe (methodology.md §1): per table, borehole id "Exp-Site-Hole", drop rows with a missing
id, depth, label or measurement (counted per reason), count the rows outside the physical
``valid_ranges`` and the exact duplicate rows (each dropped only if the config says so), bin
depths to multiples of ``bin_size_m``, mean per bin, modal label per bin (ties to the
alphabetically first); then inner-join the tables in config order on (borehole_id, depth_bin_m),
label from ``label_table`` only, and apply the closed-range filters. Every removed row count is
recorded in a report with its reason, and every borehole that loses all its rows is named with
the step and reason (report and log).

``ingest.missing_features: keep`` (default ``drop``, the recipe above) keeps rows that lack some
measurements: only raw rows missing every measurement of their table, and merged rows missing
every feature, are dropped (counted); bin means take the values present (NaN where a bin has
none); a missing value passes the range filters. Steps that need complete rows select them.

Which tables and columns become which features is config; the ``table`` source reads one tidy CSV or
Parquet file instead of LILY tables.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.core.config import DEPTH_RANGE_KEY
from lithoflow.core.dataset import (
    DEPTH_COLUMN,
    ID_COLUMNS,
    LABEL_COLUMN,
    RAW_COUNT_PREFIX,
    Dataset,
    write_dataset,
)
from lithoflow.core.errors import ConfigError, InputDataError, format_list
from lithoflow.core.io import write_json
from lithoflow.ingest.binning import bin_rows
from lithoflow.ingest.las import LasConfig, read_las_rows
from lithoflow.ingest.readers import RawRows, read_lily_table, read_tidy_table

logger = logging.getLogger(__name__)

TIDY_TABLE = "table"
LAS_TABLE = "las"  # the one table of the las source: every LAS file of data.las.path


@dataclass(frozen=True)
class TableSpec:
    """One raw table: its name, file name and (feature name, raw column) pairs in order."""

    name: str
    file: str
    features: tuple[tuple[str, str], ...]

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(feature for feature, _ in self.features)

    @property
    def raw_columns(self) -> tuple[str, ...]:
        return tuple(column for _, column in self.features)

    @property
    def count_column(self) -> str:
        return f"{RAW_COUNT_PREFIX}{self.name}"


@dataclass(frozen=True)
class IdColumns:
    """Raw column names of the row identity: LILY exp/site/hole, or one tidy borehole column."""

    depth: str
    label: str
    exp: str = ""
    site: str = ""
    hole: str = ""
    borehole: str = ""


@dataclass(frozen=True)
class RangeFilter:
    """Keep merged rows whose `feature` lies in the closed range [minimum, maximum]."""

    feature: str
    minimum: float
    maximum: float

    @property
    def reason(self) -> str:
        return f"{self.feature} outside [{self.minimum:g}, {self.maximum:g}]"


@dataclass(frozen=True)
class ValidRange:
    """Physical limits of single raw rows of `name` (a feature, or ``depth_m``); None = open."""

    name: str
    minimum: float | None
    maximum: float | None

    def outside(self, values: np.ndarray) -> np.ndarray:
        """Rows whose value lies outside the closed range (NaN is never outside)."""
        out = np.zeros(len(values), dtype=bool)
        if self.minimum is not None:
            out |= values < self.minimum
        if self.maximum is not None:
            out |= values > self.maximum
        return out

    @property
    def bounds(self) -> list[float | None]:
        return [self.minimum, self.maximum]


KEEP_OR_DROP = ("keep", "drop")


@dataclass(frozen=True)
class IngestConfig:
    """Ingestion settings built from the validated config's ``data`` and ``ingest`` sections."""

    source: str
    bin_size_m: float
    label_table: str
    columns: IdColumns
    tables: tuple[TableSpec, ...]
    filters: tuple[RangeFilter, ...] = ()
    valid_ranges: tuple[ValidRange, ...] = ()
    invalid_rows: str = "keep"  # no-op values for a subset config; the workflow passes the keys
    duplicate_rows: str = "keep"
    missing_features: str = "drop"  # drop rows missing any feature, or keep unless all are missing
    las: LasConfig | None = None  # only for the las source

    def __post_init__(self) -> None:
        for key in ("invalid_rows", "duplicate_rows", "missing_features"):
            if getattr(self, key) not in KEEP_OR_DROP:
                raise ConfigError(
                    f"config key ingest.{key}: {getattr(self, key)!r} is not one of "
                    f"{format_list(KEEP_OR_DROP)}"
                )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> IngestConfig:
        """Build from a config holding ``data`` and ``ingest``.

        A subset also works (e.g. one table and no filters, as the binning rule passes), so a rule
        reruns only when the settings it uses change. Missing ``label_table`` means the first table.
        """
        data = config["data"]
        ingest = config["ingest"]
        source = data["source"]
        las = None
        if source == "las":
            las = LasConfig.from_config(data["las"])
            columns = IdColumns(depth="depth", label=las.label_curve, borehole="borehole_id")
            tables = (
                TableSpec(
                    name=LAS_TABLE, file=las.path, features=tuple((f, f) for f in las.features)
                ),
            )
            label_table = LAS_TABLE
        elif source == "table":
            tidy = data["table"]
            columns = IdColumns(
                depth=tidy["depth_column"],
                label=tidy["label_column"],
                borehole=tidy["borehole_column"],
            )
            tables = (
                TableSpec(
                    name=TIDY_TABLE,
                    file=str(tidy["path"]),
                    features=tuple((f, f) for f in tidy["features"]),
                ),
            )
            label_table = TIDY_TABLE
        else:
            names = ingest["columns"]
            columns = IdColumns(
                depth=names["depth"],
                label=names["label"],
                exp=names["exp"],
                site=names["site"],
                hole=names["hole"],
            )
            tables = tuple(
                TableSpec(name=name, file=spec["file"], features=tuple(spec["features"].items()))
                for name, spec in ingest["tables"].items()
            )
            label_table = ingest.get("label_table", tables[0].name if tables else "")
        filters = tuple(
            RangeFilter(feature, float(bounds[0]), float(bounds[1]))
            for feature, bounds in (ingest.get("filters") or {}).items()
        )
        valid_ranges = tuple(
            ValidRange(
                name,
                None if bounds[0] is None else float(bounds[0]),
                None if bounds[1] is None else float(bounds[1]),
            )
            for name, bounds in (ingest.get("valid_ranges") or {}).items()
        )
        row_actions = {
            key: ingest[key]
            for key in ("invalid_rows", "duplicate_rows", "missing_features")
            if key in ingest
        }
        return cls(
            source=source,
            bin_size_m=float(ingest["bin_size_m"]),
            label_table=label_table,
            columns=columns,
            tables=tables,
            filters=filters,
            valid_ranges=valid_ranges,
            **row_actions,
            las=las,
        )

    @property
    def table_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.tables)

    @property
    def features(self) -> tuple[str, ...]:
        """All feature names in join order."""
        return tuple(f for spec in self.tables for f in spec.feature_names)

    def table(self, name: str) -> TableSpec:
        """The spec of table `name`; ConfigError if the config does not define it."""
        for spec in self.tables:
            if spec.name == name:
                return spec
        key = {"table": "data.table", "las": "data.las"}.get(self.source, "ingest.tables")
        raise ConfigError(
            f"config key {key}: no table {name!r} is configured "
            f"(configured: {format_list(self.table_names)})"
        )


# --------------------------------------------------------------------------------------------
# Reading and cleaning one table


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
    key = pd.DataFrame(
        {"b": rows.borehole_code, "d": rows.depth_m, "l": rows.label_code}
        | {f"v{j}": rows.values[:, j] for j in range(rows.values.shape[1])}
    )
    duplicate = np.zeros(rows.n_rows, dtype=bool)
    duplicate[keep] = key.loc[keep].duplicated(keep="first").to_numpy()
    return RowChecks(outside=outside, duplicate=duplicate)


def _apply_row_checks(
    rows: RawRows, clean: CleanRows, checks: RowChecks, config: IngestConfig
) -> CleanRows:
    """Drop the rows the config says to drop (invalid_rows, duplicate_rows: drop)."""
    steps: list[tuple[str, np.ndarray]] = []
    if config.invalid_rows == "drop":
        steps += [(f"outside_valid_range_{name}", mask) for name, mask in checks.outside.items()]
    if config.duplicate_rows == "drop":
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


def _dropped_boreholes(rows: RawRows, clean: CleanRows) -> dict[str, str]:
    """Borehole id -> why it lost every row (the count of its rows per reason)."""
    has_id = rows.borehole_code >= 0
    n = len(rows.borehole_ids)
    read = np.bincount(rows.borehole_code[has_id], minlength=n)
    kept = np.bincount(rows.borehole_code[has_id & clean.keep], minlength=n)
    lost = np.flatnonzero((read > 0) & (kept == 0))
    named = {}
    for code in lost:
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


# --------------------------------------------------------------------------------------------
# Binning one table


@dataclass(frozen=True)
class BinnedTable:
    """One table binned: a frame following the dataset contract, its features and a report."""

    name: str
    frame: pd.DataFrame
    features: tuple[str, ...]
    report: dict[str, Any]


def bin_raw_rows(
    rows: RawRows, spec: TableSpec, bin_size_m: float, config: IngestConfig | None = None
) -> BinnedTable:
    """Drop incomplete rows, check the rest (valid ranges, duplicates; dropped if `config` says
    so), then bin; the frame follows the dataset contract for this table."""
    config = config or IngestConfig(
        source="", bin_size_m=bin_size_m, label_table="", columns=IdColumns("", ""), tables=()
    )
    clean = drop_missing(rows, spec, config.missing_features)
    checks = check_rows(rows, spec, config.valid_ranges, clean.keep)
    clean = _apply_row_checks(rows, clean, checks, config)
    boreholes_dropped = _dropped_boreholes(rows, clean)
    keep = clean.keep
    columns = (rows.borehole_code, rows.depth_m, rows.values, rows.label_code)
    if not keep.all():  # copies only when something was dropped
        columns = tuple(column[keep] for column in columns)
    binned = bin_rows(*columns, bin_size_m)
    code = binned.borehole_code
    frame = pd.DataFrame(
        {
            "borehole_id": rows.borehole_ids[code],
            "exp": rows.exp[code],
            "site": rows.site[code],
            "hole": rows.hole[code],
            DEPTH_COLUMN: binned.depth_bin_m,
            LABEL_COLUMN: rows.label_names[binned.label_code],
        }
    )
    for name in (*ID_COLUMNS, LABEL_COLUMN):
        frame[name] = frame[name].astype(str)
    for j, feature in enumerate(spec.feature_names):
        frame[feature] = binned.means[:, j]
    frame[spec.count_column] = binned.raw_rows.astype(np.int64)
    boreholes_read = int(np.count_nonzero(np.bincount(rows.borehole_code[rows.borehole_code >= 0])))
    report = {
        "table": spec.name,
        "file": rows.path,
        "features": dict(spec.features),
        "bin_size_m": bin_size_m,
        "rows_read": rows.n_rows,
        "boreholes_read": boreholes_read,
        "rows_dropped": int((~keep).sum()),
        "dropped": clean.dropped,
        "rows_binned": int(keep.sum()),
        "bins": len(frame),
        "boreholes": int(np.count_nonzero(np.diff(code)) + 1) if len(code) else 0,
        "labels": int(frame[LABEL_COLUMN].nunique()),
        "valid_ranges": {
            rule.name: {"range": rule.bounds, "rows_outside": int(checks.outside[rule.name].sum())}
            for rule in config.valid_ranges
            if rule.name in checks.outside
        },
        "invalid_rows": config.invalid_rows,
        "duplicate_rows": {"rows": int(checks.duplicate.sum()), "action": config.duplicate_rows},
        "boreholes_dropped": boreholes_dropped,
    }
    if config.missing_features == "keep":
        report["missing_features"] = _missing_report(rows.values[keep], spec.feature_names)
        report["missing_features"]["bins_missing"] = {
            feature: int(frame[feature].isna().sum()) for feature in spec.feature_names
        }
    for name, entry in report["valid_ranges"].items():
        if entry["rows_outside"]:
            logger.warning(
                "%s: %s raw rows with %s outside the valid range %s (%s)",
                spec.name,
                f"{entry['rows_outside']:,}",
                name,
                entry["range"],
                "dropped" if config.invalid_rows == "drop" else "kept: ingest.invalid_rows is keep",
            )
    if checks.duplicate.any():
        logger.warning(
            "%s: %s raw rows repeat an earlier row exactly (%s: ingest.duplicate_rows)",
            spec.name,
            f"{int(checks.duplicate.sum()):,}",
            "dropped" if config.duplicate_rows == "drop" else "kept",
        )
    kept_missing = (report.get("missing_features") or {}).get("rows_with_missing_features", 0)
    if kept_missing:
        logger.info(
            "%s: %s raw rows kept with some features missing (ingest.missing_features: keep): %s",
            spec.name,
            f"{kept_missing:,}",
            _reasons_text(report["missing_features"]["rows_missing"]),
        )
    for borehole, why in boreholes_dropped.items():
        logger.warning("%s: borehole %s dropped: %s", spec.name, borehole, why)
    if rows.sources:
        report["wells"] = _source_reports(rows, clean, code)
    logger.info(
        "%s: %s rows (%s boreholes) read, %s dropped (%s) -> %s bins in %s boreholes",
        spec.name,
        f"{rows.n_rows:,}",
        f"{boreholes_read:,}",
        f"{report['rows_dropped']:,}",
        _reasons_text(clean.dropped),
        f"{report['bins']:,}",
        f"{report['boreholes']:,}",
    )
    return BinnedTable(name=spec.name, frame=frame, features=spec.feature_names, report=report)


def _missing_report(values: np.ndarray, features: Sequence[str]) -> dict[str, Any]:
    """``missing_features: keep``: the kept rows missing some (not all) features, per feature."""
    missing = np.isnan(values)
    return {
        "action": "keep",
        "rows_with_missing_features": int(missing.any(axis=1).sum()),
        "rows_missing": {f: int(missing[:, j].sum()) for j, f in enumerate(features)},
    }


def _dropped_by_borehole(rows: RawRows, clean: CleanRows) -> dict[str, np.ndarray]:
    """Reason -> rows dropped for it per borehole code (rows with a borehole id only)."""
    has_id = rows.borehole_code >= 0
    n = len(rows.borehole_ids)
    return {
        reason: np.bincount(rows.borehole_code[has_id & (clean.reason == i)], minlength=n)
        for i, reason in enumerate(clean.reasons)
    }


def _source_reports(rows: RawRows, clean: CleanRows, bin_code: np.ndarray) -> list[dict[str, Any]]:
    """Per borehole (e.g. per LAS file): its source report, rows dropped per reason, bins."""
    bins = np.bincount(bin_code, minlength=len(rows.borehole_ids))
    by_borehole = _dropped_by_borehole(rows, clean)
    reports = []
    for code, source in enumerate(rows.sources):
        dropped = {reason: int(counts[code]) for reason, counts in by_borehole.items()}
        reports.append(
            {
                **source,
                "dropped": dropped,
                "rows_kept": source["rows"] - sum(dropped.values()),
                "bins": int(bins[code]),
            }
        )
    return reports


def bin_table(
    path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    config: IngestConfig,
    table: str,
    *,
    use_threads: bool = True,
) -> BinnedTable:
    """Read raw table `table` from `path` and bin it (the ``bin_table`` rule's work)."""
    spec = config.table(table)
    rows = read_table_rows(path, config, spec, use_threads=use_threads)
    return bin_raw_rows(rows, spec, config.bin_size_m, config)


def write_binned_table(
    binned: BinnedTable, parquet_path: str | os.PathLike[str], report_path: str | os.PathLike[str]
) -> None:
    """Write a binned table (dataset contract, feature list in metadata) and its JSON report."""
    write_dataset(
        parquet_path,
        binned.frame,
        binned.features,
        {"table": binned.name, "bin_size_m": binned.report["bin_size_m"]},
    )
    write_json(report_path, binned.report)


# --------------------------------------------------------------------------------------------
# Merging


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
    for rule in config.filters:
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
    label_path = paths.get(config.label_table, config.label_table)
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


def format_report(report: Mapping[str, Any]) -> str:
    """The ingestion report as a readable table (as in methodology.md §1)."""
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
