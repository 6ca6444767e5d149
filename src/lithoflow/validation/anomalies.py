"""Anomaly intervals along depth from the VAE's per-row reconstruction errors.

The investigation's "anomaly detection via reconstruction error", read the way geoscientists read
logs: a row (a depth bin of a borehole) is anomalous when its reconstruction error
(`recon_mae_scaled`, the mean absolute error over features in scaled space) exceeds the configured
quantile of the errors of the rows the VAE was trained on (split part ``train``), so the threshold
owes nothing to held-out boreholes. Within each borehole, anomalous bins are merged into depth
intervals when the gap between their edges is at most `max_gap_m` metres; intervals with fewer
than `min_rows` anomalous rows are dropped (and counted).

Each interval spans from the top edge of its first anomalous bin to the bottom edge of its last
one; its statistics (rows, mean and largest error, dominant label, the features that drive the
error) cover every row inside that span, anomalous or in a tolerated gap. A feature's share is its
mean squared scaled error over the interval divided by the sum over features.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.core.errors import InputDataError, format_list
from lithoflow.core.io import read_parquet_metadata
from lithoflow.core.typed import build
from lithoflow.validation.reconstruction import ROW_ERROR_COLUMN

log = logging.getLogger(__name__)

BOREHOLE_COLUMN = "borehole_id"
DEPTH_COLUMN = "depth_bin_m"
LABEL_COLUMN = "label"
SPLIT_COLUMN = "split"
ABS_ERROR_PREFIX = "abs_err_scaled_"
SQUARED_ERROR_PREFIX = "sq_err_"
TRAIN_PART = "train"
DRIVERS_SHOWN = 3
# Two bin edges closer than this (metres) count as touching (float round-off of bin centres).
GAP_TOLERANCE_M = 1e-6
# Interval edges are rounded to a micrometre (bin centres carry round-off: 1247.5000000000002).
DEPTH_DECIMALS = 6

INTERVAL_COLUMNS: tuple[str, ...] = (
    BOREHOLE_COLUMN,
    "interval",
    "split",
    "top_m",
    "bottom_m",
    "length_m",
    "n_rows",
    "n_flagged",
    "mean_error",
    "max_error",
    "dominant_label",
    "dominant_label_share",
    "top_feature",
    "top_feature_share",
    "drivers",
)


@dataclass(frozen=True)
class AnomalyConfig:
    """The config section `validation.anomalies` (see the schema for each key)."""

    quantile: float
    max_gap_m: float
    min_rows: int
    top_boreholes: int

    def __post_init__(self) -> None:
        if not 0 < self.quantile < 1:
            raise ValueError(f"quantile must be in (0, 1), got {self.quantile}")
        if self.max_gap_m < 0 or self.min_rows < 1 or self.top_boreholes < 1:
            raise ValueError(f"invalid anomaly settings: {self}")

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> AnomalyConfig:
        """Build from the validated config section `validation.anomalies`."""
        return build(cls, section, "validation.anomalies")


@dataclass(frozen=True)
class AnomalyResult:
    """The intervals, the threshold behind them and the counts a reader needs."""

    intervals: pd.DataFrame  # INTERVAL_COLUMNS + sq_err_<feature> columns
    threshold: float
    n_training_rows: int
    flagged_by_split: dict[str, dict[str, float]]  # split part -> rows, flagged, share
    dropped: dict[str, int]  # intervals and flagged rows below min_rows
    top_boreholes: list[str]
    features: tuple[str, ...]
    config: AnomalyConfig

    def summary(self, **extra: Any) -> dict[str, Any]:
        """A JSON-ready summary of the detection."""
        intervals = self.intervals
        per_borehole = borehole_ranking(intervals)
        drivers = intervals["top_feature"].value_counts()
        payload: dict[str, Any] = {
            "error_column": ROW_ERROR_COLUMN,
            "quantile": self.config.quantile,
            "threshold": self.threshold,
            "threshold_rows": f"the {self.n_training_rows} rows of split part {TRAIN_PART!r}",
            "max_gap_m": self.config.max_gap_m,
            "min_rows": self.config.min_rows,
            "features": list(self.features),
            "flagged_by_split": self.flagged_by_split,
            "n_intervals": len(intervals),
            "n_boreholes_with_intervals": int(intervals[BOREHOLE_COLUMN].nunique()),
            "anomalous_length_m": float(intervals["length_m"].sum()),
            "dropped_below_min_rows": self.dropped,
            "intervals_by_top_feature": {str(k): int(v) for k, v in drivers.items()},
            "top_boreholes": self.top_boreholes,
            "boreholes": per_borehole.to_dict(orient="records"),
            "method": (
                "a row is flagged when its error exceeds the quantile of the training rows' "
                "errors; flagged bins of a borehole whose edges are at most max_gap_m apart form "
                "one interval (top edge of the first to bottom edge of the last); statistics "
                "cover every row inside the interval; a feature's share is its mean squared "
                "scaled error over the interval divided by the sum over features"
            ),
        }
        payload.update(extra)
        return payload


def check_error_frame(errors: pd.DataFrame, features: Sequence[str], path: str) -> None:
    """Raise InputDataError unless `errors` has the columns and values the detection reads."""
    required = [
        BOREHOLE_COLUMN,
        DEPTH_COLUMN,
        LABEL_COLUMN,
        SPLIT_COLUMN,
        ROW_ERROR_COLUMN,
        *(f"{ABS_ERROR_PREFIX}{f}" for f in features),
    ]
    missing = [c for c in required if c not in errors.columns]
    if missing:
        raise InputDataError(
            f"reconstruction errors lack columns {format_list(missing)}", path=path
        )
    for column in (DEPTH_COLUMN, ROW_ERROR_COLUMN, *(f"{ABS_ERROR_PREFIX}{f}" for f in features)):
        values = errors[column].to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        if bad.any():
            raise InputDataError(
                f"{int(bad.sum())} non-finite values",
                path=path,
                column=column,
                examples=errors[bad],
            )
    duplicated = errors.duplicated([BOREHOLE_COLUMN, DEPTH_COLUMN], keep=False)
    if duplicated.any():
        raise InputDataError(
            "duplicate (borehole_id, depth_bin_m) rows", path=path, examples=errors[duplicated]
        )


def read_error_table(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, list[str], str | None]:
    """The per-row reconstruction errors, their feature list and VAE name (Parquet metadata)."""
    metadata = read_parquet_metadata(path)
    if "features" not in metadata:
        raise InputDataError(
            "no feature list in the Parquet metadata (key 'lithoflow', field 'features'); "
            "rebuild it with rule validate_reconstruction",
            path=str(path),
        )
    vae = metadata.get("vae")
    return pd.read_parquet(path), [str(f) for f in metadata["features"]], vae


def training_threshold(errors: pd.Series, split: pd.Series, quantile: float) -> float:
    """The `quantile` of the errors of the rows in split part 'train' (linear interpolation)."""
    train = errors.to_numpy(dtype=float)[np.asarray(split) == TRAIN_PART]
    if len(train) == 0:
        raise InputDataError(
            f"no row of split part {TRAIN_PART!r}: the anomaly threshold is a quantile of the "
            "training rows' errors"
        )
    return float(np.quantile(train, quantile))


def sort_by_depth(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by borehole, then depth (a fresh 0..n-1 index)."""
    order = np.lexsort((frame[DEPTH_COLUMN].to_numpy(), frame[BOREHOLE_COLUMN].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def merge_flagged(
    boreholes: np.ndarray,
    depths: np.ndarray,
    flagged: np.ndarray,
    bin_size_m: float,
    max_gap_m: float,
) -> pd.DataFrame:
    """Runs of flagged rows merged into intervals (rows sorted by borehole, then depth).

    Two consecutive flagged rows of one borehole join one interval when the gap between the
    bottom edge of the first bin and the top edge of the second is at most `max_gap_m`. Returns
    one row per interval: borehole_id, start and stop (positions of its first and last flagged
    rows, inclusive), top_m, bottom_m (bin edges) and n_flagged.
    """
    boreholes = np.asarray(boreholes, dtype=object)
    depths = np.asarray(depths, dtype=float)
    flagged = np.asarray(flagged, dtype=bool)
    positions = np.flatnonzero(flagged)
    columns = [BOREHOLE_COLUMN, "start", "stop", "top_m", "bottom_m", "n_flagged"]
    if len(positions) == 0:
        return pd.DataFrame(
            {c: pd.Series(dtype=object if c == BOREHOLE_COLUMN else float) for c in columns}
        ).astype({"start": "int64", "stop": "int64", "n_flagged": "int64"})
    hole = boreholes[positions]
    depth = depths[positions]
    gap = np.diff(depth) - bin_size_m
    new_interval = np.ones(len(positions), dtype=bool)
    new_interval[1:] = (hole[1:] != hole[:-1]) | (gap > max_gap_m + GAP_TOLERANCE_M)
    firsts = np.flatnonzero(new_interval)
    lasts = np.append(firsts[1:] - 1, len(positions) - 1)
    half = bin_size_m / 2
    return pd.DataFrame(
        {
            BOREHOLE_COLUMN: hole[firsts],
            "start": positions[firsts].astype("int64"),
            "stop": positions[lasts].astype("int64"),
            "top_m": np.round(depth[firsts] - half, DEPTH_DECIMALS),
            "bottom_m": np.round(depth[lasts] + half, DEPTH_DECIMALS),
            "n_flagged": (lasts - firsts + 1).astype("int64"),
        }
    )


def interval_of_rows(n_rows: int, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """For each row position, the index of the (disjoint, sorted) interval holding it, or -1."""
    rows = np.arange(n_rows)
    index = np.searchsorted(np.asarray(starts), rows, side="right") - 1
    inside = index >= 0
    inside[inside] = rows[inside] <= np.asarray(stops)[index[inside]]
    return np.where(inside, index, -1)


def driver_text(shares: pd.Series) -> str:
    """ "MS 62%, NGR 21%, GRA 9%": the largest shares, largest first."""
    top = shares.sort_values(ascending=False, kind="stable").head(DRIVERS_SHOWN)
    return ", ".join(f"{name} {share * 100:.0f}%" for name, share in top.items())


def interval_statistics(
    rows: pd.DataFrame, merged: pd.DataFrame, features: Sequence[str]
) -> pd.DataFrame:
    """Statistics of every row inside each merged interval (rows sorted as for merge_flagged)."""
    features = list(features)
    squared_columns = [f"{SQUARED_ERROR_PREFIX}{f}" for f in features]
    if merged.empty:
        columns = {c: pd.Series(dtype=float) for c in (*INTERVAL_COLUMNS, *squared_columns)}
        return pd.DataFrame(columns)
    owner = interval_of_rows(len(rows), merged["start"].to_numpy(), merged["stop"].to_numpy())
    inside = rows.loc[owner >= 0]
    ids = owner[owner >= 0]
    errors = inside[ROW_ERROR_COLUMN].to_numpy(dtype=float)
    squared = inside[[f"{ABS_ERROR_PREFIX}{f}" for f in features]].to_numpy(dtype=float) ** 2
    frame = pd.DataFrame(squared, columns=squared_columns)
    frame["_id"], frame["_error"] = ids, errors
    grouped = frame.groupby("_id", sort=True)
    stats = grouped[squared_columns].mean()
    stats["n_rows"] = grouped.size()
    stats["mean_error"] = grouped["_error"].mean()
    stats["max_error"] = grouped["_error"].max()

    labels = pd.DataFrame({"_id": ids, LABEL_COLUMN: inside[LABEL_COLUMN].astype(str).to_numpy()})
    label_counts = labels.groupby(["_id", LABEL_COLUMN]).size().rename("n").reset_index()
    label_counts = label_counts.sort_values(
        ["_id", "n", LABEL_COLUMN], ascending=[True, False, True]
    )
    dominant = label_counts.drop_duplicates("_id").set_index("_id")
    splits = pd.Series(inside[SPLIT_COLUMN].astype(str).to_numpy(), index=ids)
    splits = splits.groupby(level=0).first()

    shares = stats[squared_columns].div(stats[squared_columns].sum(axis=1), axis=0).fillna(0.0)
    shares.columns = features
    result = merged.drop(columns=["start", "stop"]).copy()
    result["interval"] = result.groupby(BOREHOLE_COLUMN).cumcount() + 1
    result["split"] = splits.to_numpy()
    result["length_m"] = np.round(result["bottom_m"] - result["top_m"], DEPTH_DECIMALS)
    result["n_rows"] = stats["n_rows"].to_numpy()
    result["mean_error"] = stats["mean_error"].to_numpy()
    result["max_error"] = stats["max_error"].to_numpy()
    result["dominant_label"] = dominant[LABEL_COLUMN].to_numpy()
    result["dominant_label_share"] = (dominant["n"] / stats["n_rows"]).to_numpy()
    result["top_feature"] = shares.idxmax(axis=1).to_numpy()
    result["top_feature_share"] = shares.max(axis=1).to_numpy()
    result["drivers"] = [driver_text(row) for _, row in shares.iterrows()]
    for column in squared_columns:
        result[column] = stats[column].to_numpy()
    return result[[*INTERVAL_COLUMNS, *squared_columns]]


def borehole_ranking(intervals: pd.DataFrame) -> pd.DataFrame:
    """Boreholes with intervals, most anomalous metres first (then highest interval error, id)."""
    if intervals.empty:
        return pd.DataFrame(
            columns=[BOREHOLE_COLUMN, "n_intervals", "anomalous_length_m", "max_mean_error"]
        )
    table = intervals.groupby(BOREHOLE_COLUMN).agg(
        n_intervals=("interval", "size"),
        anomalous_length_m=("length_m", "sum"),
        max_mean_error=("mean_error", "max"),
    )
    table = table.reset_index().sort_values(
        ["anomalous_length_m", "max_mean_error", BOREHOLE_COLUMN],
        ascending=[False, False, True],
        kind="stable",
    )
    return table.reset_index(drop=True)


def detect_anomalies(
    errors: pd.DataFrame,
    features: Sequence[str],
    bin_size_m: float,
    config: AnomalyConfig,
    path: str = "<memory>",
) -> AnomalyResult:
    """Anomaly intervals of every borehole from the per-row reconstruction errors."""
    features = tuple(str(f) for f in features)
    check_error_frame(errors, features, path)
    rows = sort_by_depth(errors)
    threshold = training_threshold(rows[ROW_ERROR_COLUMN], rows[SPLIT_COLUMN], config.quantile)
    flagged = rows[ROW_ERROR_COLUMN].to_numpy(dtype=float) > threshold
    merged = merge_flagged(
        rows[BOREHOLE_COLUMN].to_numpy(),
        rows[DEPTH_COLUMN].to_numpy(),
        flagged,
        bin_size_m,
        config.max_gap_m,
    )
    kept = merged["n_flagged"] >= config.min_rows
    dropped = {
        "intervals": int((~kept).sum()),
        "flagged_rows": int(merged.loc[~kept, "n_flagged"].sum()),
    }
    intervals = interval_statistics(rows, merged[kept].reset_index(drop=True), features)
    by_split = (
        pd.DataFrame({"split": rows[SPLIT_COLUMN].astype(str), "flagged": flagged})
        .groupby("split")["flagged"]
        .agg(["size", "sum"])
    )
    flagged_by_split = {
        str(part): {
            "rows": int(row["size"]),
            "flagged": int(row["sum"]),
            "share": float(row["sum"] / row["size"]),
        }
        for part, row in by_split.iterrows()
    }
    ranking = borehole_ranking(intervals)
    top = ranking[BOREHOLE_COLUMN].head(config.top_boreholes).tolist()
    log.info(
        "threshold %.4f (quantile %.3f of %d training rows): %d flagged rows, %d intervals in %d "
        "boreholes (%d intervals with fewer than %d flagged rows dropped)",
        threshold,
        config.quantile,
        int((rows[SPLIT_COLUMN] == TRAIN_PART).sum()),
        int(flagged.sum()),
        len(intervals),
        int(intervals[BOREHOLE_COLUMN].nunique()) if len(intervals) else 0,
        dropped["intervals"],
        config.min_rows,
    )
    return AnomalyResult(
        intervals=intervals,
        threshold=threshold,
        n_training_rows=int((rows[SPLIT_COLUMN] == TRAIN_PART).sum()),
        flagged_by_split=flagged_by_split,
        dropped=dropped,
        top_boreholes=top,
        features=features,
        config=config,
    )
