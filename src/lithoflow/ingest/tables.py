"""One raw table binned along depth: bin means of its features, the modal label per bin, raw rows
per bin, and its row accounting (results/data/binned/{table}.parquet and .json)."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.core.dataset import (
    DEPTH_COLUMN,
    ID_COLUMNS,
    LABEL_COLUMN,
    write_dataset,
)
from lithoflow.core.io import write_json, write_parquet
from lithoflow.ingest.binning import BinnedRows, bin_rows
from lithoflow.ingest.config import IngestConfig, TableSpec
from lithoflow.ingest.readers import RawRows
from lithoflow.ingest.rows import (
    CleanRows,
    _apply_row_checks,
    _dropped_boreholes,
    _reasons_text,
    check_rows,
    drop_missing,
    read_table_rows,
)
from lithoflow.ingest.spellings import normalise_spellings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BinnedTable:
    """One table binned: a frame following the dataset contract, its features and a report."""

    name: str
    frame: pd.DataFrame
    features: tuple[str, ...]
    report: dict[str, Any]
    # Bins of rows that have measurements but no label, where no labelled row is binned: they
    # carry no class, but they are part of the log the depth context is built from.
    unlabelled: pd.DataFrame | None = None


def bin_raw_rows(rows: RawRows, spec: TableSpec, config: IngestConfig) -> BinnedTable:
    """Clean spellings, drop incomplete rows, check the rest (valid ranges, duplicates; dropped
    if `config` says so), then bin; the frame follows the dataset contract for this table."""
    bin_size_m = config.bin_size_m
    rows, spellings = normalise_spellings(rows, config.step_setting("label_case"))
    clean = drop_missing(rows, spec, config.missing_features)
    checks = check_rows(rows, spec, config.step_setting("valid_ranges"), clean.keep)
    clean = _apply_row_checks(rows, clean, checks, config)
    boreholes_dropped = _dropped_boreholes(rows, clean)
    keep = clean.keep
    columns = (rows.borehole_code, rows.depth_m, rows.values, rows.label_code)
    if not keep.all():  # copies only when something was dropped
        columns = tuple(column[keep] for column in columns)
    binned = bin_rows(*columns, bin_size_m)
    unlabelled = _unlabelled_bins(rows, spec, bin_size_m, config, binned)
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
        "non_finite_values": {
            feature: int(mask.sum()) for feature, (_, mask) in checks.non_finite.items()
        },
        "duplicate_rows": {"rows": int(checks.duplicate.sum()), "action": config.duplicate_rows},
        "boreholes_dropped": boreholes_dropped,
        "spellings": spellings,
        "unlabelled_bins_for_context": len(unlabelled),
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
    return BinnedTable(
        name=spec.name,
        frame=frame,
        features=spec.feature_names,
        report=report,
        unlabelled=unlabelled,
    )


def _unlabelled_bins(
    rows: RawRows,
    spec: TableSpec,
    bin_size_m: float,
    config: IngestConfig,
    labelled: BinnedRows,
) -> pd.DataFrame:
    """The bins of rows kept in every way but their label (missing), where no labelled row lies:
    borehole_id, depth_bin_m and the features (bin means)."""
    columns = ["borehole_id", DEPTH_COLUMN, *spec.feature_names]
    missing_label = rows.label_code < 0
    if not missing_label.any():
        return pd.DataFrame(
            {c: pd.Series(dtype=object if c == "borehole_id" else float) for c in columns}
        )
    as_labelled = replace(rows, label_code=np.where(missing_label, 0, rows.label_code))
    clean = drop_missing(as_labelled, spec, config.missing_features)
    checks = check_rows(as_labelled, spec, config.step_setting("valid_ranges"), clean.keep)
    clean = _apply_row_checks(as_labelled, clean, checks, config)
    keep = clean.keep & missing_label
    binned = bin_rows(
        rows.borehole_code[keep],
        rows.depth_m[keep],
        rows.values[keep],
        np.zeros(int(keep.sum()), dtype=np.int64),
        bin_size_m,
    )
    taken = set(zip(labelled.borehole_code.tolist(), labelled.depth_bin_m.tolist(), strict=True))
    new = np.array(
        [
            (b, d) not in taken
            for b, d in zip(binned.borehole_code, binned.depth_bin_m, strict=True)
        ],
        dtype=bool,
    )
    frame = pd.DataFrame(
        {
            "borehole_id": rows.borehole_ids[binned.borehole_code[new]].astype(str),
            DEPTH_COLUMN: binned.depth_bin_m[new],
        }
    )
    for j, feature in enumerate(spec.feature_names):
        frame[feature] = binned.means[new, j]
    return frame


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
    return bin_raw_rows(rows, spec, config)


def write_binned_table(
    binned: BinnedTable,
    parquet_path: str | os.PathLike[str],
    report_path: str | os.PathLike[str],
    unlabelled_path: str | os.PathLike[str] | None = None,
) -> None:
    """Write a binned table (dataset contract, feature list in metadata), its JSON report and
    (when a path is given) its unlabelled bins."""
    write_dataset(
        parquet_path,
        binned.frame,
        binned.features,
        {"table": binned.name, "bin_size_m": binned.report["bin_size_m"]},
    )
    if unlabelled_path is not None:
        frame = binned.unlabelled
        if frame is None:
            frame = pd.DataFrame(columns=["borehole_id", DEPTH_COLUMN, *binned.features])
        write_parquet(
            unlabelled_path, frame, {"table": binned.name, "features": list(binned.features)}
        )
    write_json(report_path, binned.report)
