"""Vectorised depth binning: bin keys, per-bin means, per-bin modes and raw-row counts.

Rows are identified by integer codes (borehole code, label code) so every step is a handful of
numpy passes (bincount, one small sort for the bins holding several labels), never a Python loop
over groups. The recipe is the investigation's (docs/investigation.md §1):

- bin centre = ``np.round(depth_m / bin_size_m) * bin_size_m`` in float64 (numpy rounds half to
  even), so keys are the same floats (e.g. 0.6000000000000001) in every table and joins match;
  a -0.0 key (depths just above -bin/2) becomes 0.0, the bin of depth 0;
- measurement = arithmetic mean of the raw rows in the bin;
- label = most frequent label of the rows in the bin, ties to the alphabetically first label
  (pandas' ``Series.mode`` returns sorted modes and the investigation took the first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Dense (borehole, bin) tables up to this many cells (or twice the row count, if larger) are
# counted with one bincount; larger key spaces fall back to a sort.
_DENSE_MIN_CELLS = 1 << 22


def bin_index(depth_m: np.ndarray, bin_size_m: float) -> np.ndarray:
    """Integer bin number of each finite depth: depth / bin size rounded half to even."""
    return np.round(np.asarray(depth_m, dtype=np.float64) / bin_size_m).astype(np.int64)


def bin_centres(depth_m: np.ndarray, bin_size_m: float) -> np.ndarray:
    """Bin centre of each depth exactly as the investigation computed it (float64 keys).

    ``np.round(depth_m / bin_size_m) * bin_size_m``; equal bin numbers always give equal floats.
    """
    return np.round(np.asarray(depth_m, dtype=np.float64) / bin_size_m) * bin_size_m


def centres_from_index(index: np.ndarray, bin_size_m: float) -> np.ndarray:
    """Bin centres from bin numbers; the same floats as `bin_centres` of the depths behind them."""
    return np.asarray(index, dtype=np.int64).astype(np.float64) * bin_size_m


@dataclass(frozen=True)
class Groups:
    """Rows grouped by (borehole code, bin number), groups sorted by borehole code then bin."""

    row_group: np.ndarray  # int64, group of each row
    borehole_code: np.ndarray  # int64, per group
    bin_index: np.ndarray  # int64, per group
    raw_rows: np.ndarray  # int64, rows per group

    @property
    def n_groups(self) -> int:
        return len(self.raw_rows)


def group_rows(borehole_code: np.ndarray, index: np.ndarray) -> Groups:
    """Group rows by (borehole code, bin number) without a Python loop.

    Groups come out sorted by borehole code, then bin number. When the key space is small (the usual
    case: a few hundred boreholes times a few thousand bins) one bincount over a dense table does it
    in linear time; otherwise a sort of the combined keys.
    """
    borehole_code = np.asarray(borehole_code, dtype=np.int64)
    index = np.asarray(index, dtype=np.int64)
    n_rows = len(index)
    if n_rows == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Groups(empty, empty, empty, empty)
    if borehole_code.min() < 0:
        raise ValueError("borehole codes must be non-negative")
    lowest = int(index.min())
    span = int(index.max()) - lowest + 1
    n_boreholes = int(borehole_code.max()) + 1
    cells = n_boreholes * span
    if cells <= max(2 * n_rows, _DENSE_MIN_CELLS):
        combined = borehole_code * span + (index - lowest)
        counts = np.bincount(combined, minlength=cells)
        occupied = np.flatnonzero(counts)
        rank = np.cumsum(counts > 0) - 1
        return Groups(
            row_group=rank[combined],
            borehole_code=occupied // span,
            bin_index=occupied % span + lowest,
            raw_rows=counts[occupied],
        )
    # Sparse key space: rank the bin numbers first so the combined key cannot overflow.
    bins, bin_rank = np.unique(index, return_inverse=True)
    combined = borehole_code * len(bins) + bin_rank
    keys, row_group, raw_rows = np.unique(combined, return_inverse=True, return_counts=True)
    return Groups(
        row_group=row_group.astype(np.int64),
        borehole_code=keys // len(bins),
        bin_index=bins[keys % len(bins)],
        raw_rows=raw_rows.astype(np.int64),
    )


def group_means(groups: Groups, values: np.ndarray) -> np.ndarray:
    """Arithmetic mean per group of each column of `values` (shape rows x columns).

    NaN values are left out of the mean; a group without any value in a column gets NaN there.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = values[:, None]
    out = np.empty((groups.n_groups, values.shape[1]), dtype=np.float64)
    for j in range(values.shape[1]):
        column = values[:, j]
        present = ~np.isnan(column)
        if present.all():
            sums = np.bincount(groups.row_group, weights=column, minlength=groups.n_groups)
            out[:, j] = sums / groups.raw_rows
            continue
        row_group = groups.row_group[present]
        sums = np.bincount(row_group, weights=column[present], minlength=groups.n_groups)
        counts = np.bincount(row_group, minlength=groups.n_groups)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, j] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return out


def group_modes(groups: Groups, label_code: np.ndarray) -> np.ndarray:
    """Most frequent label code per group; ties go to the smallest code.

    With codes assigned in sorted label order, the smallest code is the alphabetically first label.
    Bins holding one label (most of them) are settled in linear time; only the rows of mixed bins
    are counted by (bin, label) pair.
    """
    label_code = np.asarray(label_code, dtype=np.int64)
    n_groups = groups.n_groups
    modes = np.zeros(n_groups, dtype=np.int64)
    if n_groups == 0:
        return modes
    # Any label of each group; a group is mixed when one of its rows differs from it.
    modes[groups.row_group] = label_code
    differs = label_code != modes[groups.row_group]
    mixed = np.bincount(groups.row_group[differs], minlength=n_groups) > 0
    if not mixed.any():
        return modes
    rows = mixed[groups.row_group]
    n_labels = int(label_code.max()) + 1
    pairs, pair_counts = np.unique(
        groups.row_group[rows] * n_labels + label_code[rows], return_counts=True
    )
    pair_group = pairs // n_labels
    pair_label = pairs % n_labels
    # Per group: highest count first, then smallest label code.
    order = np.lexsort((pair_label, -pair_counts, pair_group))
    first = np.ones(len(order), dtype=bool)
    first[1:] = pair_group[order][1:] != pair_group[order][:-1]
    winners = order[first]
    modes[pair_group[winners]] = pair_label[winners]
    return modes


@dataclass(frozen=True)
class BinnedRows:
    """Per-bin results of `bin_rows`: one entry per (borehole, bin), by borehole then depth."""

    borehole_code: np.ndarray  # int64
    depth_bin_m: np.ndarray  # float64 bin centres
    means: np.ndarray  # float64, bins x measurement columns
    label_code: np.ndarray  # int64 mode label code
    raw_rows: np.ndarray  # int64


def bin_rows(
    borehole_code: np.ndarray,
    depth_m: np.ndarray,
    values: np.ndarray,
    label_code: np.ndarray,
    bin_size_m: float,
) -> BinnedRows:
    """Bin raw rows into per-borehole depth bins: means, modal label, row counts.

    Depths must be finite; a NaN measurement is left out of its bin's mean (NaN when the bin has
    no value for that column).

    Borehole and label codes must be non-negative; assign them in sorted order of the names so that
    bins sort by borehole name and label ties go to the alphabetically first label.
    """
    depth_m = np.asarray(depth_m, dtype=np.float64)
    if not np.isfinite(depth_m).all():
        raise ValueError("depths must be finite; drop NaN rows before binning")
    index = bin_index(depth_m, bin_size_m)
    groups = group_rows(borehole_code, index)
    return BinnedRows(
        borehole_code=groups.borehole_code,
        depth_bin_m=centres_from_index(groups.bin_index, bin_size_m),
        means=group_means(groups, values),
        label_code=group_modes(groups, label_code),
        raw_rows=groups.raw_rows,
    )


def sorted_codes(values: pd.Series | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of `values` in sorted (code point) order of the distinct values, and those values."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def bin_frame(
    frame: pd.DataFrame,
    *,
    borehole: str,
    depth: str,
    label: str,
    features: Sequence[str],
    bin_size_m: float,
    count_column: str = "n_raw",
) -> pd.DataFrame:
    """Bin a DataFrame without NaN: columns borehole, depth_bin_m, label, features, `count_column`.

    A convenience over `bin_rows` for small frames and tests; rows sorted by borehole, then depth.
    """
    borehole_code, borehole_names = sorted_codes(frame[borehole])
    label_code, label_names = sorted_codes(frame[label])
    binned = bin_rows(
        borehole_code,
        frame[depth].to_numpy(dtype=np.float64),
        frame[list(features)].to_numpy(dtype=np.float64),
        label_code,
        bin_size_m,
    )
    out = pd.DataFrame(
        {
            borehole: borehole_names[binned.borehole_code].astype(str),
            "depth_bin_m": binned.depth_bin_m,
            label: label_names[binned.label_code].astype(str),
        }
    )
    for j, name in enumerate(features):
        out[name] = binned.means[:, j]
    out[count_column] = binned.raw_rows
    return out
