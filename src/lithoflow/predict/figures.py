"""Log plots of predicted boreholes: one borehole's tracks, and every borehole side by side.

Every class has one colour for the whole run (`class_colours`: by its position in the run's
class list), the same in every figure; labels the model never saw are grey.

A borehole's log plot has, on one depth axis (depth down): a track per input curve, the
predicted lithology as a coloured column (white where the model was not applied), the top
probability, and the true lithology beside the prediction when the borehole has labels.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.patches import Patch

from lithoflow.core.figure_style import FigureStyle

UNSEEN_COLOUR = "#9e9e9e"
PREDICTED_TITLE = "predicted"
TRUE_TITLE = "true"


def class_colours(classes: Sequence[str]) -> dict[str, str]:
    """One fixed colour per class of the run, by its position in the class list."""
    palette = [matplotlib.colors.to_hex(c) for c in plt.get_cmap("tab20").colors]
    palette += [matplotlib.colors.to_hex(c) for c in plt.get_cmap("tab20b").colors]
    return {name: palette[i % len(palette)] for i, name in enumerate(classes)}


def _column_image(labels: Sequence[object], colours: Mapping[str, str]) -> np.ndarray:
    """RGBA rows (one per sample) of a lithology column; white where there is no label (None or
    NaN: a sample the model did not classify, or an unlabelled one), grey for a label the model
    never saw."""
    white = to_rgba("white")
    rows = [white if pd.isna(v) else to_rgba(colours.get(str(v), UNSEEN_COLOUR)) for v in labels]
    return np.asarray(rows, dtype=float)[:, None, :]


def _draw_column(ax, depth: np.ndarray, labels: Sequence[object], colours, title: str) -> None:
    order = np.argsort(depth)
    image = _column_image([labels[i] for i in order], colours)
    extent = (0.0, 1.0, float(depth[order][-1]), float(depth[order][0]))
    ax.imshow(image, aspect="auto", extent=extent, interpolation="nearest")
    ax.set_title(title)
    ax.set_xticks([])
    ax.grid(False)


def borehole_figure(
    table: pd.DataFrame,
    inputs: pd.DataFrame,
    classes: Sequence[str],
    style: FigureStyle,
    title: str,
) -> plt.Figure:
    """The log plot of one predicted borehole (`inputs`: its input curves per sample)."""
    style.apply()
    colours = class_colours(classes)
    depth = table["depth_m"].to_numpy(dtype=float)
    valid = np.isfinite(depth)
    has_true = "true" in table.columns and table["true"].notna().any()
    curves = list(inputs.columns)
    n_tracks = len(curves) + 2 + int(has_true)
    fig, axes = plt.subplots(
        1, n_tracks, figsize=(1.6 * n_tracks + 2.5, 9), sharey=True, squeeze=False
    )
    axes = axes[0]
    for ax, name in zip(axes, curves, strict=False):
        values = inputs[name].to_numpy(dtype=float)
        ax.plot(values[valid], depth[valid], linewidth=0.6, color="0.2")
        ax.set_title(name)
        ax.grid(alpha=0.3)
        if spans_decades(values):
            ax.set_xscale("log")
    column = len(curves)
    predicted = table["predicted"].to_numpy(dtype=object)
    _draw_column(axes[column], depth[valid], predicted[valid], colours, PREDICTED_TITLE)
    if has_true:
        column += 1
        truth = table["true"].to_numpy(dtype=object)
        _draw_column(axes[column], depth[valid], truth[valid], colours, TRUE_TITLE)
    top = axes[-1]
    top.plot(table["top_probability"].to_numpy(dtype=float)[valid], depth[valid], color="0.2",
             linewidth=0.6)  # fmt: skip
    top.set_xlim(0, 1)
    top.set_title("top probability")
    top.grid(alpha=0.3)
    if valid.any():
        axes[0].set_ylim(float(depth[valid].max()), float(depth[valid].min()))
    axes[0].set_ylabel("depth (m)")
    shown = [c for c in classes if c in set(predicted) or (has_true and c in set(table["true"]))]
    handles = [Patch(color=colours[c], label=c) for c in shown]
    if has_true:
        unseen = sorted(set(table["true"].dropna()) - set(classes))
        handles += [Patch(color=UNSEEN_COLOUR, label=f"{u} (not in training)") for u in unseen]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 5), frameon=False)
    fig.suptitle(title)
    fig.subplots_adjust(bottom=0.12 + 0.03 * (len(handles) // 5), top=0.92)
    return fig


def overview_figure(
    tables: Mapping[str, pd.DataFrame], classes: Sequence[str], style: FigureStyle, title: str
) -> plt.Figure:
    """Every borehole's predicted column side by side on one depth axis."""
    style.apply()
    colours = class_colours(classes)
    names = sorted(tables)
    width = 0.9 * max(len(names), 1) + 4.0
    fig, axes = plt.subplots(1, max(len(names), 1), figsize=(width, 9), sharey=True, squeeze=False)
    axes = axes[0]
    top, bottom = np.inf, -np.inf
    for ax, name in zip(axes, names, strict=False):
        table = tables[name]
        depth = table["depth_m"].to_numpy(dtype=float)
        valid = np.isfinite(depth)
        if valid.any():
            predicted = table["predicted"].to_numpy(dtype=object)
            _draw_column(ax, depth[valid], predicted[valid], colours, name)
            top, bottom = min(top, depth[valid].min()), max(bottom, depth[valid].max())
        else:
            ax.set_title(f"{name}\n(empty)")
            ax.set_xticks([])
        ax.title.set_rotation(90)
        ax.title.set_fontsize(8)
    if np.isfinite(top):
        axes[0].set_ylim(bottom, top)
    axes[0].set_ylabel("depth (m)")
    handles = [Patch(color=colours[c], label=c) for c in classes]
    right = 1.0 - 2.4 / width
    fig.legend(
        handles=handles, loc="center left", bbox_to_anchor=(right + 0.01, 0.5), frameon=False
    )
    fig.suptitle(title)
    fig.subplots_adjust(right=right, top=0.85)
    return fig


def spans_decades(values: np.ndarray) -> bool:
    """Whether a curve is better read on a log scale: positive, and its 1st to 99th
    percentiles more than two decades apart (resistivities, permeabilities)."""
    finite = values[np.isfinite(values)]
    if finite.size < 2 or (finite <= 0).any():
        return False
    low, high = np.percentile(finite, [1, 99])
    return bool(high / low > 100)
