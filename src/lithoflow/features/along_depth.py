"""Rows in depth order within a borehole: continuous segments and depth windows.

Depth context features and the smoothing of predictions both look at a row's neighbours along the
well. Neither may look across a borehole boundary or across a gap in the depth sequence larger than
a tolerance (a core gap, a missing stretch of log): those rows are not neighbours. This module
computes, once, the order of the rows, the continuous segment each row belongs to, and for a depth
window the first and last row of the same segment inside it, so callers only aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class DepthOrder:
    """Rows sorted by (borehole, depth) with a continuous-segment id per sorted row.

    `order[i]` is the original row index of the i-th sorted row; `segment[i]` its segment id
    (0, 1, ... in sorted order); `depth[i]` its depth. A new segment starts at every new borehole
    and wherever the depth step to the previous row exceeds `max_gap_m`.
    """

    order: np.ndarray
    segment: np.ndarray
    depth: np.ndarray
    # [start, end) of each borehole's sorted rows: windows and sums are computed one borehole
    # at a time, so a row's values never depend on the other boreholes of the table.
    boreholes: tuple[tuple[int, int], ...] = ()

    @property
    def n_rows(self) -> int:
        return int(self.order.shape[0])

    def to_sorted(self, values: np.ndarray) -> np.ndarray:
        """`values` (in original row order) in sorted order."""
        return np.asarray(values)[self.order]

    def to_original(self, values: np.ndarray) -> np.ndarray:
        """`values` (in sorted order) back in the original row order."""
        out = np.empty_like(values)
        out[self.order] = values
        return out


def depth_order(
    boreholes: pd.Series | np.ndarray, depths: np.ndarray, max_gap_m: float
) -> DepthOrder:
    """The depth order and continuous segments of rows given by borehole id and depth (metres).

    Raises ValueError on a missing depth or a repeated (borehole, depth) pair, which would make
    "the row above" ambiguous.
    """
    if max_gap_m <= 0:
        raise ValueError(f"max_gap_m must be positive, got {max_gap_m}")
    depth = np.asarray(depths, dtype=np.float64)
    if np.isnan(depth).any():
        raise ValueError("depths contain missing values")
    codes, _ = pd.factorize(pd.Series(np.asarray(boreholes)), sort=True)
    order = np.lexsort((depth, codes))
    sorted_codes = codes[order]
    sorted_depth = depth[order]
    step = np.diff(sorted_depth)
    same_hole = sorted_codes[1:] == sorted_codes[:-1]
    if np.any(same_hole & (step == 0)):
        raise ValueError("a borehole has two rows at the same depth")
    starts = np.concatenate(([True], ~same_hole | (step > max_gap_m)))
    segment = np.cumsum(starts) - 1
    edges = np.flatnonzero(np.concatenate(([True], ~same_hole, [True]))) if len(order) else []
    boreholes = tuple((int(a), int(b)) for a, b in pairwise(edges))
    return DepthOrder(order=order, segment=segment, depth=sorted_depth, boreholes=boreholes)


def window_bounds(along: DepthOrder, half_width_m: float) -> tuple[np.ndarray, np.ndarray]:
    """For each sorted row, [lo, hi) of the sorted rows of its segment within ±half_width_m.

    A row's window always holds the row itself; rows of other segments never enter it. Each
    borehole is searched on its own, so its windows do not depend on the table's other boreholes.
    """
    if half_width_m < 0:
        raise ValueError(f"half_width_m must be >= 0, got {half_width_m}")
    lo = np.empty(along.n_rows, dtype=np.int64)
    hi = np.empty(along.n_rows, dtype=np.int64)
    for start, end in along.boreholes:
        depth = along.depth[start:end]
        segment = along.segment[start:end] - along.segment[start]
        # One increasing key per row: the borehole's segments laid end to end with a spacer
        # wider than any window, so a single searchsorted finds every window's bounds.
        top = float(np.min(depth))
        spacer = float(np.max(depth)) - top + 2.0 * half_width_m + 1.0
        key = segment * spacer + (depth - top)
        # A relative tolerance keeps rows exactly at the window's edge inside it despite rounding.
        tolerance = 1e-9 * max(1.0, float(np.max(np.abs(key))))
        lo[start:end] = start + np.searchsorted(key, key - half_width_m - tolerance, side="left")
        hi[start:end] = start + np.searchsorted(key, key + half_width_m + tolerance, side="right")
    return lo, hi


def shifted(along: DepthOrder, values: np.ndarray, steps: int) -> np.ndarray:
    """Sorted `values` moved by `steps` rows within each segment (missing where none).

    steps > 0 gives the value `steps` rows above (shallower); steps < 0 the value below.
    """
    values = np.asarray(values, dtype=np.float64)
    out = np.full(values.shape, np.nan)
    n = values.shape[0]
    if steps == 0:
        return values.copy()
    k = abs(steps)
    if k >= n:
        return out
    if steps > 0:
        same = along.segment[k:] == along.segment[:-k]
        out[k:][same] = values[:-k][same]
    else:
        same = along.segment[:-k] == along.segment[k:]
        out[:-k][same] = values[k:][same]
    return out


def window_sums(
    along: DepthOrder, values: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, ...]:
    """(count, sum, sum of squares) of the non-missing sorted `values` in each window [lo, hi).

    `values` may be 1-D (one column) or 2-D (rows × columns). The running sums restart at each
    borehole, so a borehole's sums are the same whatever other boreholes the table holds.
    """
    values = np.asarray(values, dtype=np.float64)
    present = ~np.isnan(values)
    filled = np.where(present, values, 0.0)
    results = []
    for a in (present.astype(np.float64), filled, filled * filled):
        out = np.empty_like(a)
        for start, end in along.boreholes:
            running = np.concatenate((np.zeros((1, *a.shape[1:])), np.cumsum(a[start:end], axis=0)))
            out[start:end] = running[hi[start:end] - start] - running[lo[start:end] - start]
        results.append(out)
    return tuple(results)
