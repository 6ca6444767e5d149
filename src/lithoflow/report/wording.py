"""Markdown helpers, the investigation's reference figures beside ours, and comparison sentences
whose words are chosen from the printed numbers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lithoflow.report.tracing import (
    DASH,
    NOT_AVAILABLE,
    Expr,
    Key,
    Tracer,
    div,
    ref,
    sub,
    to_number,
)

# --- markdown helpers -----------------------------------------------------------------------------


def code(name: Any) -> str:
    """A name (label, group, run, path) as inline code: never read as a number or markup."""
    return "`" + str(name).replace("`", "'") + "`"


def names(items: Iterable[Any], empty: str = "none") -> str:
    return ", ".join(code(v) for v in items) or empty


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return [*lines, *("| " + " | ".join(row) + " |" for row in rows), ""]


# --- the investigation's figures ------------------------------------------------------------------

REFERENCE_SOURCES: tuple[tuple[str, str], ...] = (
    ("summary", "Summary"),
    ("log", "log"),
    ("later", "later work"),
)
REFERENCE_LEGEND = {
    "summary": "the investigation's summary document",
    "log": "its committed logs and output files",
    "later": "later work on a filtered dataset, quoted for context",
}


def _decimals(value: float) -> int:
    text = repr(float(value))
    if "e" in text or "." not in text:
        return 0
    return len(text.split(".")[1].rstrip("0"))


def agrees(summary: Any, log: Any) -> bool:
    """The Summary's figure is the log's, rounded to the Summary's precision."""
    numbers = (int, float)
    if not isinstance(summary, numbers) or not isinstance(log, numbers):
        return False
    return abs(float(log) - float(summary)) <= 0.5 * 10 ** -_decimals(summary) + 1e-12


# The investigation studied LILY: its figures stand beside this run's only for LILY data, real or
# simulated in LILY's image; other data (a tidy table, LAS well logs) get this instead.
NOT_APPLICABLE = "not applicable to this data"
LILY_SOURCES = ("lily", "simulate")


def compares_with_investigation(t: Tracer) -> bool:
    """Whether the investigation's LILY figures apply to this run's data."""
    return t.inputs.config["data"]["source"] in LILY_SOURCES


def reference_text(t: Tracer, path: Sequence[Key], fmt: str) -> str:
    """The investigation's figure at `path` of the reference, labelled with its source(s).

    A Summary figure that rounds the log's is shown once, from the log ("Summary, log");
    figures that disagree are all shown; a Summary figure no log backs is marked unsupported.
    """
    if not compares_with_investigation(t):
        return NOT_APPLICABLE
    figure = t.inputs.get("reference", *path, default=None)
    if not isinstance(figure, Mapping):
        return DASH
    present = [key for key, _ in REFERENCE_SOURCES if key in figure]
    labels = dict(REFERENCE_SOURCES)
    if "summary" in present and "log" in present and agrees(figure["summary"], figure["log"]):
        present.remove("summary")
        labels["log"] = "Summary, log"
    if figure.get("unsupported"):
        labels["summary"] = "Summary, unsupported"
    parts = [f"{t.num(ref('reference', *path, key), fmt)} ({labels[key]})" for key in present]
    return " / ".join(parts) or DASH


def figure_row(
    t: Tracer, label: str, source: str, path: Sequence[Key], fmt: str, reference: Sequence[Key]
) -> list[str]:
    """[label, this run's number, the investigation's figure]."""
    return [label, t.at(source, *path, fmt=fmt), reference_text(t, reference, fmt)]


# --- comparison sentences -------------------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    """The words of a comparison, and how its values and their difference print."""

    higher: str = "beats"
    lower: str = "trails"
    tie: str = "tie"
    fmt: str = "percent"
    difference_fmt: str = "points"
    difference_unit: str = " percentage points"
    relative: bool = True


SCORE_WORDS = Wording()
DECIMAL_WORDS = Wording(
    higher="is higher than",
    lower="is lower than",
    tie="are equal",
    fmt="decimal",
    difference_fmt="abs_decimal",
    difference_unit="",
    relative=False,
)


def compare_sentence(
    t: Tracer,
    subject: str,
    other: str,
    metric: str,
    a: Expr,
    b: Expr,
    wording: Wording = SCORE_WORDS,
) -> str:
    """One sentence comparing `subject`'s value `a` with `other`'s `b` (on `metric`, if given).

    The verb follows the sign of a − b; two values that print the same are a tie.
    """
    shown_a, shown_b = t.text(a, wording.fmt), t.text(b, wording.fmt)
    both = f"{t.num(a, wording.fmt)} vs {t.num(b, wording.fmt)}"
    on = f" on {metric}" if metric else ""
    if NOT_AVAILABLE in (shown_a, shown_b):
        return f"{subject} and {other} cannot be compared{on} ({both})."
    if shown_a == shown_b:
        return f"{subject} and {other} {wording.tie}{on} ({both})."
    up = to_number(t.value(a)) > to_number(t.value(b))
    amount = t.num(sub(a, b), wording.difference_fmt) + wording.difference_unit
    sentence = f"{subject} {wording.higher if up else wording.lower} {other}{on} by {amount}"
    sentence += f" ({both})"
    if wording.relative:
        if to_number(t.value(b)) == 0:
            sentence += f"; {other} scored zero, so there is no relative change"
        else:
            relative = t.num(div(sub(a, b), b), "abs_percent")
            sentence += f", {relative} {'more' if up else 'less'} than {other}"
    return sentence + "."
