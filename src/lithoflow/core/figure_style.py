"""Shared figure style and atomic PNG saving.

Figures are drawn by their own rules from JSON/CSV results, so changing the style (config key
`figures`) reruns only the figures.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import seaborn as sns

from lithoflow.core.io import atomic_path
from lithoflow.core.typed import build


@dataclass(frozen=True)
class FigureStyle:
    """Style of every figure: resolution, seaborn style and context."""

    dpi: int
    style: str
    context: str

    @classmethod
    def from_config(cls, figures: Mapping[str, Any]) -> FigureStyle:
        """Build from the validated ``figures`` section."""
        return build(cls, figures, "figures")

    def apply(self) -> None:
        """Set the seaborn theme for the figures drawn next."""
        sns.set_theme(style=self.style, context=self.context)


def save_figure(fig: plt.Figure, path: str | os.PathLike[str], style: FigureStyle) -> None:
    """Save `fig` as PNG atomically at the style's dpi and close it."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=style.dpi, bbox_inches="tight", format="png")
    plt.close(fig)
