"""The sections of the investigation summary, one module each, in the order they appear.

Each section module has a `TITLE` and a `section(t, plan)` that returns the section's Markdown
lines, printing numbers through the Tracer `t`; `plan` (lithoflow.report.plan) names the runs to
compare and the figures to link. Look-ups shared by several sections live in `common`.
"""

from __future__ import annotations

from collections.abc import Callable

from lithoflow.report.plan import SummaryPlan
from lithoflow.report.sections import (
    classifiers,
    data,
    data_groups,
    figures,
    findings,
    group_errors,
    groups,
    hierarchy,
    imbalance,
    latent,
    leaderboard,
    limits,
    mismatch,
    reconstruction,
    vae_variants,
)
from lithoflow.report.sections.header import header_lines
from lithoflow.report.tracing import Tracer

__all__ = ["SECTIONS", "SECTION_TITLES", "header_lines"]

SectionBuilder = Callable[[Tracer, SummaryPlan], list[str]]

_MODULES = (
    findings,
    data,
    imbalance,
    mismatch,
    classifiers,
    leaderboard,
    groups,
    reconstruction,
    latent,
    vae_variants,
    group_errors,
    hierarchy,
    data_groups,
    limits,
    figures,
)
SECTIONS: tuple[tuple[str, SectionBuilder], ...] = tuple((m.TITLE, m.section) for m in _MODULES)
SECTION_TITLES: tuple[str, ...] = tuple(title for title, _ in SECTIONS)
