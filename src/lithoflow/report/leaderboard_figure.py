"""The leaderboard figure: each run's scores as a point with its 95 % interval, per target."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd

from lithoflow.classifiers.kinds import KINDS
from lithoflow.core.figure_style import FigureStyle

PANELS = (("balanced_accuracy", "balanced accuracy"), ("accuracy", "accuracy"),
          ("macro_f1", "macro-F1"), ("penalty_score", "penalty score"))  # fmt: skip


def plot_leaderboard(frame: pd.DataFrame, style: FigureStyle) -> plt.Figure:
    """One panel per score, runs as rows (grouped by target, best first); bars are intervals."""
    style.apply()
    panels = [(m, title) for m, title in PANELS if frame[f"{m}_mean"].notna().any()]
    n_rows = max(len(frame), 1)
    fig, axes = plt.subplots(
        1, len(panels), figsize=(3.6 * len(panels) + 1.5, 0.42 * n_rows + 1.6), sharey=True,
        squeeze=False,
    )  # fmt: skip
    labels = [
        f"{r.run} ({r.target}{', out of fold' if r.evaluation == 'group_kfold' else ''})"
        for r in frame.itertuples()
    ]
    positions = list(range(len(frame)))[::-1]
    colours = {name: info.colour for name, info in KINDS.items()}
    for ax, (metric, title) in zip(axes[0], panels, strict=True):
        for y, row in zip(positions, frame.itertuples(), strict=True):
            mean = getattr(row, f"{metric}_mean")
            low, high = getattr(row, f"{metric}_low"), getattr(row, f"{metric}_high")
            colour = colours.get(row.model, "0.3")
            if not math.isnan(low) and not math.isnan(high):
                ax.plot([low, high], [y, y], color=colour, linewidth=2.5, alpha=0.6)
            if not math.isnan(mean):
                ax.plot([mean], [y], "o", color=colour, markersize=6)
        ax.set_title(title)
        ax.grid(axis="x", alpha=0.4)
    axes[0][0].set_yticks(positions)
    axes[0][0].set_yticklabels(labels)
    handles = [plt.Line2D([], [], color=c, marker="o", label=k) for k, c in colours.items()]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False)
    fig.suptitle("Classifier runs: mean with 95 % interval over replicates or folds")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig
