"""Log-scale bar chart of a class distribution (lithologies or groups)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from lithoflow.core.figure_style import FigureStyle


def plot_distribution(table: pd.DataFrame, title: str, style: FigureStyle) -> plt.Figure:
    """Rows per class (log scale), largest first, with the 1% and 0.1% levels marked.

    `table` is a distribution table (columns rank, name, count, percent, cumulative_percent).
    """
    style.apply()
    ordered = table.sort_values("rank")
    n_classes = len(ordered)
    width = min(max(6.0, 0.14 * n_classes + 2.0), 24.0)
    fig, ax = plt.subplots(figsize=(width, 5.5))
    positions = range(n_classes)
    ax.bar(positions, ordered["count"], color="#4C72B0", width=0.8)
    ax.set_yscale("log")
    ax.set_xticks(list(positions))
    font_size = 9 if n_classes <= 30 else (6 if n_classes <= 80 else 4.5)
    ax.set_xticklabels(ordered["name"], rotation=90, fontsize=font_size)
    ax.set_xlim(-0.7, n_classes - 0.3)
    ax.set_ylabel("rows (log scale)")
    total = float(ordered["count"].sum())
    for share, line_style in ((0.01, "--"), (0.001, ":")):
        ax.axhline(total * share, color="0.3", linestyle=line_style, linewidth=1)
        ax.annotate(
            f"{share * 100:g}% of rows",
            xy=(1.0, total * share),
            xycoords=("axes fraction", "data"),
            xytext=(-4, 3),
            textcoords="offset points",
            ha="right",
            fontsize=8,
            color="0.3",
        )
    if n_classes:
        ratio = ordered["count"].max() / max(ordered["count"].min(), 1)
        ax.set_title(f"{title}: {n_classes} classes, {int(total):,} rows, max/min {ratio:,.0f}:1")
    else:
        ax.set_title(f"{title}: no rows")
    fig.tight_layout()
    return fig
