"""The VAE reconstruction validation figure (docs/investigation.md §9 panels plus predicted vs
true)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from lithoflow.core.figure_style import FigureStyle

QUALITY_COLOURS = {"excellent": "tab:green", "good": "tab:orange", "poor": "tab:red"}
ACTIVE_COLOUR = "tab:green"
INACTIVE_COLOUR = "0.6"
# Display units of the LILY features, for axis labels only; other features say "input units".
KNOWN_UNITS = {
    "GRA": "g/cm³",
    "MS": "instr. units",
    "NGR": "cps",
    "R": "0–255",
    "G": "0–255",
    "B": "0–255",
}
VIEW_PERCENTILES = (0.5, 99.5)  # predicted-vs-true panels show this range of the values
MAX_SCATTER_COLUMNS = 6


def feature_units(name: str) -> str:
    return KNOWN_UNITS.get(name, "input units")


def _rmse_panel(ax: plt.Axes, report: Mapping[str, Any]) -> None:
    features = report["features"]
    scaled = report["scaled"]["per_feature"]
    rmse = [scaled[f]["rmse"] for f in features]
    bars = ax.bar(features, rmse, color="tab:blue")
    ax.bar_label(bars, labels=[f"{v:.3f}" for v in rmse], fontsize=8)
    r2 = report["scaled"]["average"]["r2"]
    ax.set_title(f"(a) RMSE per feature (mean R² {r2:.3f})", fontsize=10)
    ax.set_ylabel("RMSE (scaled z-units)")
    ax.margins(y=0.15)


def _latent_panel(ax: plt.Axes, report: Mapping[str, Any]) -> None:
    latent = report["latent"]
    dims = pd.DataFrame(latent["dimensions"])
    colours = [ACTIVE_COLOUR if a else INACTIVE_COLOUR for a in dims["active"]]
    ax.bar(dims["dimension"], dims["std"], color=colours)
    ax.set_xticks(dims["dimension"])
    threshold = latent["active_std_threshold"]
    ax.axhline(threshold, color="tab:red", linestyle="--", linewidth=1, label=f"{threshold}")
    ax.set_title(
        f"(b) Latent use: {latent['n_active']} of {latent['n_dimensions']} dims active "
        f"(std > {threshold})",
        fontsize=10,
    )
    ax.set_xlabel("latent dimension")
    ax.set_ylabel("std of μ")
    ax.legend(title="active threshold", fontsize=8, title_fontsize=8, loc="best")


def _group_panel(ax: plt.Axes, report: Mapping[str, Any]) -> None:
    groups = report["groups"]
    table = pd.DataFrame(groups["per_group"]).iloc[::-1]  # best at the top
    colours = [QUALITY_COLOURS[q] for q in table["quality"]]
    names = [f"{g} (n={n:,})" for g, n in zip(table["group"], table["n_rows"], strict=True)]
    ax.barh(names, table["mae_scaled"], color=colours)
    bands = groups["bands"]
    for edge in (bands["excellent_below"], bands["good_below"]):
        ax.axvline(edge, color="0.3", linestyle="--", linewidth=1)
    handles = [
        plt.Rectangle((0, 0), 1, 1, color=QUALITY_COLOURS["excellent"]),
        plt.Rectangle((0, 0), 1, 1, color=QUALITY_COLOURS["good"]),
        plt.Rectangle((0, 0), 1, 1, color=QUALITY_COLOURS["poor"]),
    ]
    ax.legend(
        handles,
        [
            f"excellent < {bands['excellent_below']}",
            f"good < {bands['good_below']}",
            f"poor ≥ {bands['good_below']}",
        ],
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        ncol=3,
        frameon=False,
    )
    ax.set_title("(c) Mean MAE per group", fontsize=10)
    ax.set_xlabel("mean MAE over features (scaled z-units)")
    ax.tick_params(axis="y", labelsize=8)


def _scatter_panel(ax: plt.Axes, rows: pd.DataFrame, report: Mapping[str, Any], name: str) -> None:
    true = rows[f"true_{name}"].to_numpy(dtype=float)
    pred = rows[f"pred_{name}"].to_numpy(dtype=float)
    finite = np.isfinite(true) & np.isfinite(pred)
    both = np.concatenate([true[finite], pred[finite]])
    units = feature_units(name)
    r2_phys = report["physical"]["per_feature"][name]["r2"]
    r2_scaled = report["scaled"]["per_feature"][name]["r2"]
    ax.set_title(f"{name}: R² {r2_phys:.3f} physical, {r2_scaled:.3f} scaled", fontsize=9)
    ax.set_xlabel(f"true {name} ({units})", fontsize=8)
    ax.set_ylabel(f"predicted {name} ({units})", fontsize=8)
    ax.tick_params(labelsize=7)
    if len(both) == 0:
        ax.text(0.5, 0.5, "no finite values", transform=ax.transAxes, ha="center")
        return
    low, high = np.percentile(both, VIEW_PERCENTILES)
    if high <= low:
        low, high = low - 0.5, high + 0.5
    shown = finite & (true >= low) & (true <= high) & (pred >= low) & (pred <= high)
    if shown.sum() > 0:
        ax.hexbin(
            true[shown],
            pred[shown],
            gridsize=35,
            bins="log",
            mincnt=1,
            cmap="viridis",
            extent=(low, high, low, high),
            linewidths=0,
        )
    ax.plot([low, high], [low, high], color="tab:red", linestyle="--", linewidth=1)
    ax.set_xlim(low, high)
    ax.set_ylim(low, high)
    outside = int(finite.sum() - shown.sum())
    if outside:
        ax.text(
            0.02,
            0.98,
            f"{outside:,} rows outside view",
            transform=ax.transAxes,
            fontsize=7,
            va="top",
            color="0.25",
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1},
        )


def reconstruction_figure(
    report: Mapping[str, Any], rows: pd.DataFrame, style: FigureStyle
) -> plt.Figure:
    """The figure for one scope: `report` is its reconstruction JSON, `rows` its per-row errors.

    Top: the investigation's three panels (scaled space). Bottom: predicted vs true per feature
    in physical units (hexbin, log counts, 1:1 line, central 99% of values shown).
    """
    style.apply()
    features = list(report["features"])
    n_cols = min(len(features), MAX_SCATTER_COLUMNS)
    n_rows_scatter = math.ceil(len(features) / n_cols)
    fig = plt.figure(figsize=(18, 5.6 + 3.3 * n_rows_scatter), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[5.2, 3.3 * n_rows_scatter])
    axes = top.subplots(1, 3, width_ratios=[1, 1, 1.25])
    _rmse_panel(axes[0], report)
    _latent_panel(axes[1], report)
    _group_panel(axes[2], report)
    top.suptitle(
        "Scaled space (per-feature transform + z-score): where the investigation measured",
        fontsize=10,
        x=0.01,
        ha="left",
    )

    scatter_axes = np.atleast_1d(bottom.subplots(n_rows_scatter, n_cols, squeeze=False)).ravel()
    for ax, name in zip(scatter_axes, features, strict=False):
        _scatter_panel(ax, rows, report, name)
    for ax in scatter_axes[len(features) :]:
        ax.set_visible(False)
    low, high = VIEW_PERCENTILES
    bottom.suptitle(
        f"(d) Predicted vs true in physical units (decoded, inverse-transformed); view = "
        f"{low}–{high}th percentile, log-count hexbins, dashed 1:1 line",
        fontsize=10,
        x=0.01,
        ha="left",
    )
    vae = report.get("vae", "?")
    training = report.get("vae_training", {})
    trained_on = (
        f"VAE trained on {training['train_on']} rows of split '{training['split']}'"
        if training
        else "VAE training rows unknown"
    )
    fig.suptitle(
        f"VAE '{vae}' reconstruction, scope '{report['scope']}': {report['scope_description']}\n"
        f"{report['n_rows']:,} rows, {report['sample']} ({trained_on}); decoding z = μ",
        fontsize=12,
    )
    return fig
