"""Dendrogram of the lithology centroids, leaves coloured by expert group (hierarchy validation)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy.cluster.hierarchy import dendrogram

from lithoflow.core.figure_style import FigureStyle
from lithoflow.validation.hierarchy import dendrogram_cut_height

LEAF_HEIGHT_IN = 0.14  # vertical space per leaf, so 139 leaves stay readable
LEAF_FONT_SIZE = 6.5


def group_colours(groups: Sequence[str]) -> dict[str, Any]:
    """A distinct, stable colour per group (sorted by name), dark enough for coloured text."""
    names = sorted(set(groups))
    dark = plt.get_cmap("tab20b")
    palette = [*plt.get_cmap("tab10").colors, *(dark(i) for i in range(0, 20, 4))]
    palette += [plt.get_cmap("Dark2")(i) for i in range(8)]
    return {name: palette[i % len(palette)] for i, name in enumerate(names)}


def hierarchy_dendrogram_figure(summary: Mapping[str, Any], style: FigureStyle) -> plt.Figure:
    """Ward dendrogram of the centroids from `hierarchy_ari.json`'s contents.

    Leaf labels and markers take their expert group's colour; a dashed line marks the cut into
    the clusters the ARI was computed on.
    """
    style.apply()
    tree = summary["dendrogram"]
    labels = list(tree["labels"])
    groups = list(tree["groups"])
    linkage_matrix = np.asarray(tree["linkage"], dtype=float)
    colours = group_colours(groups)
    colour_of_label = {label: colours[group] for label, group in zip(labels, groups, strict=True)}
    n_leaves = len(labels)

    fig, ax = plt.subplots(
        figsize=(12, max(4.0, 1.8 + LEAF_HEIGHT_IN * n_leaves)), layout="constrained"
    )
    info = dendrogram(
        linkage_matrix,
        labels=labels,
        orientation="left",
        leaf_font_size=LEAF_FONT_SIZE,
        link_color_func=lambda _: "0.35",
        ax=ax,
    )
    for tick in ax.get_yticklabels():
        tick.set_color(colour_of_label[tick.get_text()])
    leaf_y = 5.0 + 10.0 * np.arange(n_leaves)
    leaf_colours = [colour_of_label[label] for label in info["ivl"]]
    ax.scatter(
        np.zeros(n_leaves), leaf_y, c=leaf_colours, s=14, marker="s", zorder=3, clip_on=False
    )
    ax.tick_params(axis="y", pad=7)
    handles: list[Any] = [Patch(color=colours[g], label=g) for g in sorted(colours)]
    cut = dendrogram_cut_height(linkage_matrix, int(summary["n_clusters"]))
    if cut is not None:
        ax.axvline(cut, color="tab:red", linestyle="--", linewidth=1)
        handles.append(
            Line2D(
                [],
                [],
                color="tab:red",
                linestyle="--",
                label=f"cut into {summary['n_clusters']} Ward clusters",
            )
        )
    ax.set_xlabel("Ward merge distance between lithology centroids (latent μ units)")
    ax.grid(axis="y", visible=False)
    ax.set_ylabel("")

    fig.legend(
        handles=handles,
        title="Expert group",
        loc="outside right upper",
        fontsize=8,
        title_fontsize=9,
        frameon=False,
    )
    ari = float(summary["adjusted_rand_index"])
    ax.set_title(
        f"Lithology centroids (median μ per lithology, {n_leaves} lithologies): Ward dendrogram\n"
        f"ARI vs {summary['n_groups']} expert groups = {ari:.3f} ({summary['verdict']}); "
        "ARI is chance-corrected partition agreement, not % agreement",
        fontsize=10,
        loc="left",
    )
    return fig
