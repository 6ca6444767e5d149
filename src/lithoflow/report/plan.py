"""What the summary states beyond its inputs: the comparisons between classifier runs (config
``report``), which of the investigation's runs each run repeats, and the figures to link.

The sections never name a run: every run name comes from here or from the config's
``classifiers.runs``, so renaming a run in the config renames it in the summary.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

RUN_PLACEHOLDER = "{run}"


@dataclass(frozen=True)
class Comparison:
    """Two classifier runs compared on one or more metrics.

    `title` says what the pair tests and opens the sentence on the first metric; `finding`, if
    given, puts the pair's first metric among the key findings, worded with the two phrases
    (``{run}`` in each stands for the run's name).
    """

    title: str
    runs: tuple[str, str]
    metrics: tuple[str, ...]
    finding: tuple[str, str] | None = None

    @property
    def subject(self) -> str:
        return self.runs[0]

    @property
    def other(self) -> str:
        return self.runs[1]


@dataclass(frozen=True)
class Figure:
    """A figure the summary links to: its title and its path relative to the summary."""

    title: str
    link: str


@dataclass(frozen=True)
class SummaryPlan:
    """The comparisons to state, the investigation's run behind each run, the figures to link,
    and the pairs of runs on the expert and the data-driven groups."""

    comparisons: tuple[Comparison, ...] = ()
    investigation_runs: Mapping[str, str] = field(default_factory=dict)
    figures: tuple[Figure, ...] = ()
    # (expert-group run, data-group run) pairs: one recipe on the two hierarchies.
    hierarchy_comparisons: tuple[tuple[str, str], ...] = ()

    def investigation_run(self, run: str) -> str | None:
        """The investigation's name of the run that `run` repeats (None: no such run)."""
        return self.investigation_runs.get(run)

    def investigation_pair(self, comparison: Comparison) -> str | None:
        """The key of the investigation's own claims about the pair (reference "comparisons")."""
        a, b = (self.investigation_run(r) for r in comparison.runs)
        return None if a is None or b is None else f"{a}_vs_{b}"


def comparison_from_config(entry: Mapping[str, Any]) -> Comparison:
    """One item of config ``report.comparisons``."""
    subject, other = entry["runs"]
    finding = entry.get("finding")
    return Comparison(
        title=str(entry["title"]),
        runs=(str(subject), str(other)),
        metrics=tuple(str(m) for m in entry["metrics"]),
        finding=None if finding is None else (str(finding[0]), str(finding[1])),
    )


def figure_links(figures: Mapping[str, str], summary_path: str) -> tuple[Figure, ...]:
    """Title -> path of each figure (relative to the workflow's folder, as rules write them),
    as links relative to the folder of the summary at `summary_path`."""
    start = posixpath.dirname(summary_path) or "."
    return tuple(
        Figure(title=str(title), link=posixpath.relpath(str(path), start))
        for title, path in figures.items()
    )


def plan_from_config(config: Mapping[str, Any], figures: Sequence[Figure] = ()) -> SummaryPlan:
    """The plan of config section ``report`` (none: no comparisons, no investigation runs)."""
    report = config.get("report") or {}
    return SummaryPlan(
        comparisons=tuple(comparison_from_config(c) for c in report.get("comparisons", [])),
        investigation_runs={
            str(k): str(v) for k, v in (report.get("investigation_runs") or {}).items()
        },
        figures=tuple(figures),
        hierarchy_comparisons=tuple(
            (str(a), str(b)) for a, b in report.get("hierarchy_comparisons") or []
        ),
    )


def phrase(template: str, name_text: str) -> str:
    """A finding's phrase with ``{run}`` replaced by the run's (formatted) name."""
    return template.replace(RUN_PLACEHOLDER, name_text)
