"""The ``report`` section's cross-key checks: every run it names is a classifier run. The section
is optional: without it there is no investigation summary (the leaderboard stays)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from lithoflow.core.errors import format_list


def report_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """Every run that config section ``report`` names is a run of classifiers.runs."""
    report = config.get("report")
    if report is None:
        return
    if config.get("validation") is None:
        yield (
            "config key report: the investigation summary reports the VAE's validation; add a "
            "validation section (and its vae) or remove the report section"
        )
    runs = sorted(config["classifiers"]["runs"])
    known = format_list(runs)
    for i, comparison in enumerate(report["comparisons"]):
        key = f"report.comparisons[{i}].runs"
        for name in comparison["runs"]:
            if name not in runs:
                yield f"config key {key}: {name!r} is not one of classifiers.runs ({known})"
        if len(set(comparison["runs"])) != 2:
            yield f"config key {key}: a comparison needs two different runs"
    for name in report["investigation_runs"]:
        if name not in runs:
            yield (
                f"config key report.investigation_runs.{name}: {name!r} is not one of "
                f"classifiers.runs ({known})"
            )
