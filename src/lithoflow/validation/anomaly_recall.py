"""Precision and recall of the detected anomaly intervals against the simulator's injected ones.

The simulator can inject known anomalous intervals (``lithoflow.simulate.injection``; truth
table ``results/simulation/anomaly_truth.csv``). A detected interval
(``results/validation/anomalies.csv``) and a true one *overlap* when they share depth in the same
borehole: ``top_d < bottom_t`` and ``top_t < bottom_d`` (intervals that only touch at an edge do
not overlap).

- precision = detected intervals overlapping a true interval / detected intervals;
- recall = true intervals overlapped by a detected interval / true intervals.

Precision counts every detection, also those of the simulation's own unusual rows (voids, spikes,
rare lithologies), so it is a lower bound of how often a detection points at an injected fault.
Recall counts only *observable* true intervals: those sharing depth with at least one row of the
dataset the detection ran on (rows can be lost to the joins and filters); the others are listed.
Both are given overall, per split part of the VAE's split (a borehole's part; ``test`` is the
honest number: neither the VAE nor the threshold saw those boreholes), and recall per kind and per
affected table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.core.errors import InputDataError, format_list

BOREHOLE_COLUMN = "borehole_id"
DETECTED_COLUMNS = (BOREHOLE_COLUMN, "top_m", "bottom_m", "split")
TRUTH_COLUMNS = (BOREHOLE_COLUMN, "interval", "top_m", "bottom_m", "kind", "tables")
SPLIT_PARTS = ("train", "val", "test")
ABSENT = "absent"  # the split part of a borehole the dataset does not hold


def check_columns(frame: pd.DataFrame, columns: Iterable[str], path: str) -> None:
    """Raise InputDataError naming the file when `frame` lacks any of `columns`."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputDataError(f"missing columns {format_list(missing)}", path=path)
    for column in ("top_m", "bottom_m"):
        if column in frame.columns:
            values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
            bad = ~np.isfinite(values)
            if bad.any():
                raise InputDataError(
                    f"{int(bad.sum())} non-numeric or missing depths",
                    path=path,
                    column=column,
                    examples=frame[bad],
                )
    if "top_m" in frame.columns and "bottom_m" in frame.columns:
        inverted = frame["bottom_m"].astype(float) <= frame["top_m"].astype(float)
        if inverted.any():
            raise InputDataError(
                "intervals whose bottom_m is not below top_m",
                path=path,
                examples=frame[inverted],
            )


def overlap_pairs(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Every (row of `first`, row of `second`) pair of one borehole that shares depth.

    Columns ``first`` and ``second`` hold the positions (0..n-1) of the rows in each frame.
    """
    left = pd.DataFrame(
        {
            BOREHOLE_COLUMN: first[BOREHOLE_COLUMN].astype(str).to_numpy(),
            "first": np.arange(len(first)),
            "top_a": first["top_m"].to_numpy(dtype=float),
            "bottom_a": first["bottom_m"].to_numpy(dtype=float),
        }
    )
    right = pd.DataFrame(
        {
            BOREHOLE_COLUMN: second[BOREHOLE_COLUMN].astype(str).to_numpy(),
            "second": np.arange(len(second)),
            "top_b": second["top_m"].to_numpy(dtype=float),
            "bottom_b": second["bottom_m"].to_numpy(dtype=float),
        }
    )
    pairs = left.merge(right, on=BOREHOLE_COLUMN, how="inner")
    shared = (pairs["top_a"] < pairs["bottom_b"]) & (pairs["top_b"] < pairs["bottom_a"])
    return pairs.loc[shared, ["first", "second"]].reset_index(drop=True)


def match_intervals(detected: pd.DataFrame, truth: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(for each detected interval: overlaps a true one; for each true one: detections on it)."""
    pairs = overlap_pairs(detected, truth)
    detected_hit = np.zeros(len(detected), dtype=bool)
    detected_hit[pairs["first"].to_numpy()] = True
    truth_hits = np.bincount(pairs["second"].to_numpy(), minlength=len(truth))
    return detected_hit, truth_hits


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, None when there is nothing to divide (JSON null)."""
    return float(numerator / denominator) if denominator else None


def scores(detected_hit: np.ndarray, truth_found: np.ndarray) -> dict[str, Any]:
    """Precision and recall with the counts behind them."""
    n_detected, n_true = len(detected_hit), len(truth_found)
    matched, found = int(np.sum(detected_hit)), int(np.sum(truth_found))
    return {
        "precision": ratio(matched, n_detected),
        "recall": ratio(found, n_true),
        "detected": n_detected,
        "detected_overlapping_truth": matched,
        "true": n_true,
        "true_found": found,
    }


def observable(truth: pd.DataFrame, rows: pd.DataFrame, bin_size_m: float) -> np.ndarray:
    """Whether each true interval shares depth with a dataset row (bins of `bin_size_m` around
    `depth_bin_m`, per borehole)."""
    half = bin_size_m / 2
    depth = rows["depth_bin_m"].to_numpy(dtype=float)
    bins = pd.DataFrame(
        {
            BOREHOLE_COLUMN: rows[BOREHOLE_COLUMN].astype(str).to_numpy(),
            "top_m": depth - half,
            "bottom_m": depth + half,
        }
    )
    relevant = bins[bins[BOREHOLE_COLUMN].isin(set(truth[BOREHOLE_COLUMN].astype(str)))]
    pairs = overlap_pairs(truth, relevant)
    seen = np.zeros(len(truth), dtype=bool)
    seen[pairs["first"].to_numpy()] = True
    return seen


def anomaly_recall(
    detected: pd.DataFrame,
    truth: pd.DataFrame,
    rows: pd.DataFrame,
    bin_size_m: float,
) -> dict[str, Any]:
    """Precision and recall of `detected` against `truth`, overall and per split, kind and table.

    `rows` are the dataset rows the detection ran on (borehole_id, depth_bin_m, split): they give
    each borehole's split part and which true intervals the data can show at all.
    """
    truth = truth.reset_index(drop=True)
    detected = detected.reset_index(drop=True)
    split_of = (
        rows[[BOREHOLE_COLUMN, "split"]]
        .astype(str)
        .drop_duplicates(BOREHOLE_COLUMN)
        .set_index(BOREHOLE_COLUMN)["split"]
    )
    truth_split = truth[BOREHOLE_COLUMN].astype(str).map(split_of).fillna(ABSENT).to_numpy()
    seen = observable(truth, rows, bin_size_m)
    detected_hit, truth_hits = match_intervals(detected, truth)
    found = truth_hits > 0
    detected_split = detected["split"].astype(str).to_numpy()

    def part_scores(mask_detected: np.ndarray, mask_truth: np.ndarray) -> dict[str, Any]:
        return scores(detected_hit[mask_detected], found[mask_truth & seen])

    everything_d = np.ones(len(detected), dtype=bool)
    everything_t = np.ones(len(truth), dtype=bool)
    parts = [p for p in SPLIT_PARTS if p in set(detected_split) | set(truth_split)]
    parts += sorted(set(detected_split) - set(SPLIT_PARTS))
    by_split = {part: part_scores(detected_split == part, truth_split == part) for part in parts}
    kinds = sorted(truth["kind"].astype(str).unique())
    by_kind: dict[str, Any] = {}
    for kind in kinds:
        is_kind = truth["kind"].astype(str).to_numpy() == kind
        recall = scores(np.zeros(0, bool), found[is_kind & seen])
        by_kind[kind] = {
            "recall": recall["recall"],
            "true": recall["true"],
            "true_found": recall["true_found"],
            "by_split": {
                part: {
                    key: value
                    for key, value in scores(
                        np.zeros(0, bool), found[is_kind & seen & (truth_split == part)]
                    ).items()
                    if key in ("recall", "true", "true_found")
                }
                for part in parts
                if (is_kind & (truth_split == part)).any()
            },
        }
    by_table: dict[str, Any] = {}
    faults = truth["kind"].astype(str).to_numpy() == "instrument_fault"
    for table in sorted(truth.loc[faults, "tables"].astype(str).unique()):
        mask = faults & (truth["tables"].astype(str).to_numpy() == table) & seen
        by_table[table] = {
            key: value
            for key, value in scores(np.zeros(0, bool), found[mask]).items()
            if key in ("recall", "true", "true_found")
        }
    listing = truth[[c for c in TRUTH_COLUMNS if c in truth.columns]].copy()
    listing["split"] = truth_split
    listing["observable"] = seen
    listing["found"] = found
    listing["detections"] = truth_hits
    return {
        "overlap_rule": (
            "a detected and a true interval overlap when they share depth in one borehole "
            "(top_d < bottom_t and top_t < bottom_d; touching edges do not count)"
        ),
        "honest_part": "test",
        "overall": part_scores(everything_d, everything_t),
        "by_split": by_split,
        "recall_by_kind": by_kind,
        "recall_by_fault_table": by_table,
        "true_not_observable": int((~seen).sum()),
        "true_intervals": listing.to_dict(orient="records"),
    }
