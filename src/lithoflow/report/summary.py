"""The investigation summary: this run's numbers beside the investigation's published figures.

`build_summary` turns the run's JSON/CSV results (loaded into a `ReportInputs`), the config and the
packaged reference figures (``lithoflow/data/investigation_reference.json``) into Markdown. It is
pure: only `read_inputs` and `load_reference` read files. The config's ``report`` section says
which classifier runs to compare and which of the investigation's runs each run repeats; the rule
gives the figures to link (see lithoflow.report.plan). No section names a run of its own.

Every number is printed through a `Tracer`, from an expression over the inputs (the value at a
path in one document, or a difference, ratio or length of such values). The summary comes with
the list of its numbers (where each sits in the text, its format and its expression), so a test
can recompute every one from the files. Sentences that say which value is higher ("beats",
"trails", "tie") choose their words from the printed values, so they read true whatever the run
found.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from lithoflow.core.io import read_json
from lithoflow.report.plan import Figure, figure_links, plan_from_config
from lithoflow.report.sections import SECTION_TITLES, SECTIONS
from lithoflow.report.sections.header import header_lines
from lithoflow.report.tracing import ReportInputs, Tracer

__all__ = [
    "SECTION_TITLES",
    "Figure",
    "Summary",
    "build_summary",
    "figure_links",
    "load_reference",
    "read_inputs",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Summary:
    """The summary's Markdown and its numbers (text, offsets, format, value, expression)."""

    markdown: str
    numbers: list[dict[str, Any]]
    sources: Mapping[str, str]

    def trace(self) -> dict[str, Any]:
        """JSON-ready: the file behind each source name, and every printed number."""
        return {"sources": dict(self.sources), "numbers": self.numbers}


def build_summary(inputs: ReportInputs, figures: Sequence[Figure] = ()) -> Summary:
    """The investigation summary of a run (see the module docstring), linking `figures`."""
    t = Tracer(inputs)
    plan = plan_from_config(inputs.config, figures)
    lines = header_lines(t)
    for _, build in SECTIONS:
        lines += build(t, plan)
    markdown, numbers = t.render("\n".join(lines).rstrip() + "\n")
    log.info(
        "investigation summary: %d sections, %d numbers from %d inputs",
        len(SECTIONS),
        len(numbers),
        len(inputs.documents),
    )
    return Summary(markdown=markdown, numbers=numbers, sources=dict(inputs.paths))


# --- reading the inputs ---------------------------------------------------------------------------


def load_reference(path: str | Path | None = None) -> dict[str, Any]:
    """The investigation's figures: `path`, or the copy packaged with lithoflow."""
    if path is not None:
        return read_json(path)
    data = resources.files("lithoflow") / "data" / "investigation_reference.json"
    return json.loads(data.read_text())


def read_document(path: str | Path) -> Any:
    """A JSON file, or a CSV file as a list of row records."""
    if str(path).endswith(".csv"):
        return pd.read_csv(path).to_dict(orient="records")
    return read_json(path)


def read_inputs(files: Mapping[str, str | Path], config: Mapping[str, Any]) -> ReportInputs:
    """Load every file by source name (see ReportInputs); `config` becomes source "config"."""
    documents: dict[str, Any] = {name: read_document(path) for name, path in files.items()}
    documents["config"] = config
    if "reference" not in documents:
        documents["reference"] = load_reference()
    return ReportInputs(documents=documents, paths={k: str(v) for k, v in files.items()})
