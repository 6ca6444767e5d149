"""Figure: anomaly logs of the boreholes with the most anomalous metres.

One block per borehole, side by side; in each block, depth increases downward and the tracks are
the features in physical units (measured, with the VAE's reconstruction dashed), the
reconstruction error with the anomaly threshold, and the labels as a coloured strip. Anomaly
intervals are shaded across every track of their borehole. The labels' colours are shared by all
blocks (the most frequent labels of the boreholes shown; the rest in grey as "other").
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.colors
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from lithoflow.core.figure_style import FigureStyle
from lithoflow.validation.anomalies import (
    BOREHOLE_COLUMN,
    DEPTH_COLUMN,
    LABEL_COLUMN,
    sort_by_depth,
)
from lithoflow.validation.reconstruction import ROW_ERROR_COLUMN

LABEL_COLOURS_SHOWN = 10
OTHER_COLOUR = "#bbbbbb"
SHADE_COLOUR = "#d62728"
TRACK_WIDTH_IN = 0.85
FIGURE_HEIGHT_IN = 8.0


def label_colours(labels: pd.Series) -> dict[str, str]:
    """The most frequent labels (ties by name) get a tab10 colour; others are not in the dict."""
    counts = labels.astype(str).value_counts()
    ordered = sorted(counts.index, key=lambda label: (-counts[label], label))
    palette = plt.get_cmap("tab10").colors
    return {
        label: matplotlib.colors.to_hex(palette[i])
        for i, label in enumerate(ordered[:LABEL_COLOURS_SHOWN])
    }


def label_runs(depths: np.ndarray, labels: np.ndarray, bin_size_m: float) -> list[tuple]:
    """(top, bottom, label) of each run of equal labels in touching bins (sorted by depth)."""
    runs: list[tuple[float, float, str]] = []
    half = bin_size_m / 2
    for depth, label in zip(depths, labels, strict=True):
        top, bottom = depth - half, depth + half
        if runs and runs[-1][2] == label and abs(runs[-1][1] - top) < 1e-6:
            runs[-1] = (runs[-1][0], bottom, label)
        else:
            runs.append((top, bottom, label))
    return runs


def break_at_gaps(depths: np.ndarray, values: np.ndarray, bin_size_m: float) -> tuple:
    """Depths and values with a NaN inserted wherever bins are missing, so no line bridges a
    stretch without data."""
    depths = np.asarray(depths, dtype=float)
    values = np.asarray(values, dtype=float)
    gaps = np.flatnonzero(np.diff(depths) > 1.5 * bin_size_m) + 1
    return np.insert(depths, gaps, np.nan), np.insert(values, gaps, np.nan)


def anomaly_log_figure(
    errors: pd.DataFrame,
    intervals: pd.DataFrame,
    boreholes: Sequence[str],
    features: Sequence[str],
    threshold: float,
    bin_size_m: float,
    style: FigureStyle,
) -> plt.Figure:
    """The anomaly logs of `boreholes` (per-row errors with true_/pred_ columns per feature)."""
    style.apply()
    features = list(features)
    n_tracks = len(features) + 2
    if not boreholes:
        fig, ax = plt.subplots(figsize=(6, 2))
        ax.axis("off")
        ax.text(
            0.5,
            0.5,
            f"No anomaly interval: no row's reconstruction error exceeds {threshold:.3g}\n"
            "(or no run of anomalous rows reaches validation.anomalies.min_rows).",
            ha="center",
            va="center",
        )
        return fig
    shown = sort_by_depth(errors[errors[BOREHOLE_COLUMN].isin(boreholes)])
    colours = label_colours(shown[LABEL_COLUMN])
    fig = plt.figure(
        figsize=(TRACK_WIDTH_IN * n_tracks * len(boreholes) + 0.6, FIGURE_HEIGHT_IN),
        layout="constrained",
    )
    blocks = np.atleast_1d(fig.subfigures(1, len(boreholes), wspace=0.04))
    for block, borehole in zip(blocks, boreholes, strict=True):
        rows = shown[shown[BOREHOLE_COLUMN] == borehole]
        own = intervals[intervals[BOREHOLE_COLUMN] == borehole]
        axes = block.subplots(1, n_tracks, sharey=True)
        depth = rows[DEPTH_COLUMN].to_numpy(dtype=float)
        for ax, feature in zip(axes, features, strict=False):
            y, x = break_at_gaps(depth, rows[f"true_{feature}"], bin_size_m)
            ax.plot(x, y, color="black", linewidth=0.6)
            y, x = break_at_gaps(depth, rows[f"pred_{feature}"], bin_size_m)
            ax.plot(x, y, color="tab:blue", linewidth=0.6, linestyle="--")
            ax.set_title(feature, fontsize=9)
        error_ax, strip_ax = axes[-2], axes[-1]
        y, x = break_at_gaps(depth, rows[ROW_ERROR_COLUMN], bin_size_m)
        error_ax.plot(x, y, color="black", linewidth=0.6)
        error_ax.axvline(threshold, color=SHADE_COLOUR, linewidth=0.8, linestyle=":")
        error_ax.set_title("error", fontsize=9)
        for top, bottom, label in label_runs(
            depth, rows[LABEL_COLUMN].astype(str).to_numpy(), bin_size_m
        ):
            strip_ax.axhspan(top, bottom, color=colours.get(label, OTHER_COLOUR), linewidth=0)
        strip_ax.set_xticks([])
        strip_ax.set_title("label", fontsize=9)
        for ax in axes:
            for interval in own.itertuples():
                ax.axhspan(
                    interval.top_m, interval.bottom_m, color=SHADE_COLOUR, alpha=0.18, linewidth=0
                )
            ax.tick_params(labelsize=7)
            ax.grid(True, linewidth=0.3)
        axes[0].set_ylabel("depth (m, CSF-A)")
        if len(depth):
            axes[0].set_ylim(depth.max() + bin_size_m, depth.min() - bin_size_m)  # downward
        block.suptitle(
            f"{borehole}: {len(own)} interval(s), {own['length_m'].sum():.1f} m",
            fontsize=10,
        )
    handles = [Patch(color=c, label=label) for label, c in colours.items()]
    handles += [
        Patch(color=OTHER_COLOUR, label="other labels"),
        Patch(color=SHADE_COLOUR, alpha=0.18, label="anomaly interval"),
        plt.Line2D([], [], color="black", linewidth=0.8, label="measured"),
        plt.Line2D([], [], color="tab:blue", linestyle="--", linewidth=0.8, label="reconstructed"),
        plt.Line2D([], [], color=SHADE_COLOUR, linestyle=":", label=f"threshold {threshold:.3g}"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=min(6, len(handles)), fontsize=8)
    return fig
