"""Figures: links to the figures the workflow draws (given by the rule)."""

from __future__ import annotations

from lithoflow.report.plan import SummaryPlan
from lithoflow.report.tracing import Tracer

TITLE = "Figures"


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    lines = [f"## {TITLE}", ""]
    if not plan.figures:
        return [*lines, "No figure was given.", ""]
    return [*lines, *(f"- [{figure.title}]({figure.link})" for figure in plan.figures), ""]
