"""The summary's title and the paragraph that explains how to read it."""

from __future__ import annotations

from lithoflow.report.tracing import Tracer
from lithoflow.report.wording import REFERENCE_LEGEND, REFERENCE_SOURCES

TITLE = "lithoflow: the VAE classifier investigation, re-run"


def header_lines(t: Tracer) -> list[str]:
    legend = "; ".join(f"*{label}*: {REFERENCE_LEGEND[key]}" for key, label in REFERENCE_SOURCES)
    return [
        f"# {TITLE}",
        "",
        "Every number below comes from this run's result files; the investigation's published "
        "figure stands beside it, in the columns and sentences marked *investigation*, labelled "
        f"with its source ({legend}). *Summary, unsupported* marks a Summary figure that no log "
        "backs; a dash means there is no such figure. Run names, classes and groups are set in "
        "code type.",
        "",
    ]
