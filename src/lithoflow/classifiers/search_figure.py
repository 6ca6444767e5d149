"""A run's search as a table and a figure (results/models/classifiers/{run}/search.csv, .png):
every trial's cross-validated score with its 95 % interval over the folds, the chosen trial
marked, pruned trials hollow (scored on their first folds only)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd

from lithoflow.core.figure_style import FigureStyle


def search_table(metrics: Mapping[str, Any]) -> pd.DataFrame:
    """The trials of a run's metrics.json (one row per trial; nested: per outer fold too)."""
    search = metrics.get("search")
    if not search:
        raise ValueError(f"run {metrics.get('run')} has no search")
    table = pd.DataFrame(search["trials"])
    chosen = []
    if search.get("nested"):
        best = {fold["unit"]: fold["cv_score"]["trial"] for fold in search["folds"]}
        chosen = [best[u] == t for u, t in zip(table["outer_unit"], table["trial"], strict=True)]
    else:
        chosen = (table["trial"] == search["cv_score"]["trial"]).tolist()
    table.insert(1 if "outer_unit" in table.columns else 0, "chosen", chosen)
    return table


def search_figure(table: pd.DataFrame, metric: str, style: FigureStyle, title: str) -> plt.Figure:
    """Each trial's mean score and interval by trial number (one panel per outer fold)."""
    style.apply()
    groups = list(table.groupby("outer_unit")) if "outer_unit" in table.columns else [("", table)]
    fig, axes = plt.subplots(
        1, len(groups), figsize=(5 * len(groups) + 1, 4), sharey=True, squeeze=False
    )
    for ax, (unit, trials) in zip(axes[0], groups, strict=True):
        for row in trials.itertuples():
            complete = row.state == "complete"
            colour = "#C44E52" if row.chosen else "#4C72B0"
            if complete and not (math.isnan(row.low) or math.isnan(row.high)):
                ax.plot([row.trial, row.trial], [row.low, row.high], color=colour, alpha=0.6)
            ax.plot(
                [row.trial],
                [row.mean],
                "o",
                color=colour,
                markerfacecolor=colour if complete else "white",
                markersize=7 if row.chosen else 5,
            )
        ax.set_xlabel("trial")
        ax.set_title(f"outer fold {unit}" if unit else "trials")
        ax.grid(alpha=0.4)
    axes[0][0].set_ylabel(f"cross-validated {metric}")
    fig.suptitle(title)
    fig.tight_layout()
    return fig
