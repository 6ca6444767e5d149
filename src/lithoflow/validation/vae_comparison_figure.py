"""The VAE comparison figure: one panel per column of vae_comparison.csv that ranks the VAEs."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from lithoflow.core.figure_style import FigureStyle

# (column, axis title) of the panels, left to right.
PANELS = (
    ("recon_r2_physical_test", "reconstruction R² (physical, test)"),
    ("active_latent_dims_test", "active latent dimensions (test)"),
    ("ari_expert_groups", "ARI vs expert groups"),
    ("balanced_accuracy_mean", "classifier balanced accuracy"),
)


def _labels(table: pd.DataFrame) -> list[str]:
    return [f"{row.vae}\n({row.kind}, k={row.latent_dim})" for row in table.itertuples()]


def vae_comparison_figure(table: pd.DataFrame, style: FigureStyle) -> plt.Figure:
    """Horizontal bars per VAE; the classifier panel shows each run's 95 % interval."""
    style.apply()
    n = len(table)
    fig, axes = plt.subplots(1, len(PANELS), figsize=(4 * len(PANELS), 1.0 + 0.6 * n), sharey=True)
    positions = np.arange(n)
    for ax, (column, title) in zip(axes, PANELS, strict=True):
        values = table[column].astype(float).to_numpy()
        xerr = None
        if column == "balanced_accuracy_mean":
            low = table["balanced_accuracy_low"].astype(float).to_numpy()
            high = table["balanced_accuracy_high"].astype(float).to_numpy()
            bounded = np.isfinite(low) & np.isfinite(high)
            xerr = np.vstack(
                [np.where(bounded, values - low, 0.0), np.where(bounded, high - values, 0.0)]
            )
        ax.barh(positions, np.nan_to_num(values), xerr=xerr, color="tab:blue", capsize=3)
        for y, value in zip(positions, values, strict=True):
            text = "n/a" if math.isnan(value) else f"{value:.3g}"
            ax.annotate(text, (0, y), xytext=(3, 0), textcoords="offset points", va="center",
                        fontsize=8, color="white" if value > 0 else "black")  # fmt: skip
        ax.set_title(title, fontsize=10)
        ax.axvline(0, color="0.3", linewidth=0.8)
    axes[0].set_yticks(positions, _labels(table))
    axes[0].invert_yaxis()
    fig.suptitle("VAE variants side by side")
    fig.tight_layout()
    return fig
