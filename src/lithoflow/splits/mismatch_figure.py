"""Side-by-side view of how well each split method's parts represent the whole data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from lithoflow.core.figure_style import FigureStyle

PART_COLOURS = {"train": "#4C72B0", "val": "#DD8452", "test": "#C44E52"}


def _grouped_bars(
    ax: plt.Axes, values: Mapping[str, Mapping[str, float]], parts: list[str], ylabel: str
) -> None:
    """Bars per method (x) and part (hue)."""
    methods = list(values)
    width = 0.8 / max(len(parts), 1)
    x = np.arange(len(methods))
    for i, part in enumerate(parts):
        heights = [float(values[m].get(part, np.nan)) for m in methods]
        bars = ax.bar(x + (i - (len(parts) - 1) / 2) * width, heights, width, label=part)
        for bar in bars:
            bar.set_color(PART_COLOURS.get(part, "0.5"))
        ax.bar_label(bars, fmt="%.3g", fontsize=7, padding=1)
    ax.set_xticks(x)
    ax.set_xticklabels(methods, rotation=15)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)


def plot_mismatch(
    table: pd.DataFrame, summary: Mapping[str, Any], style: FigureStyle
) -> plt.Figure:
    """Four panels: JSD from the whole over classes and over groups, classes absent from train,
    and per-class test share against train share for each method."""
    style.apply()
    methods: Mapping[str, Any] = summary["methods"]
    fig, axes = plt.subplots(2, 2, figsize=(13, 10))
    for ax, level in zip(axes[0], ("classes", "groups"), strict=True):
        values = {
            m: entry[level]["jsd_bits_from_whole"] for m, entry in methods.items() if level in entry
        }
        if values:
            _grouped_bars(ax, values, ["train", "val", "test"], "Jensen-Shannon divergence (bits)")
        ax.set_title(f"Divergence of each part from the whole data ({level})")
    missing = {m: entry["classes"]["n_missing_from_train"] for m, entry in methods.items()}
    _grouped_bars(axes[1, 0], missing, ["val", "test"], "classes")
    axes[1, 0].set_title("Classes present in val / test but absent from train")

    ax = axes[1, 1]
    floor = 1e-4
    for method in methods:
        rows = table[(table["method"] == method) & (table["test_count"] > 0)]
        train = rows["train_percent"].clip(lower=floor)
        ax.scatter(train, rows["test_percent"].clip(lower=floor), s=12, alpha=0.7, label=method)
    ax.set_xscale("log")
    ax.set_yscale("log")
    limits = [floor / 2, 100]
    ax.plot(limits, limits, color="0.3", linewidth=1, linestyle="--")
    ax.axvline(floor, color="0.6", linewidth=0.8, linestyle=":")
    ax.set_xlim(limits)
    ax.set_ylim(limits)
    ax.set_xlabel(f"share of train rows (%); absent from train plotted at {floor:g}")
    ax.set_ylabel("share of test rows (%)")
    ax.set_title("Per-class share in test vs train")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
