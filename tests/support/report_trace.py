"""Independent checks of the investigation summary's numbers (tests of lithoflow.report).

The summary lists every number it prints with the expression behind it. These helpers re-read
the inputs themselves, recompute each expression and re-format it with their own copy of the
formats, and find numbers in the text that no list entry covers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

# A number in running text: digits with optional thousands separators and decimals.
NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
# Text that may hold digits without being a number of the run: code spans (run names, labels,
# paths) and the investigation's problem numbers in headings and sentences.
NOT_NUMBERS = (re.compile(r"`[^`\n]*`"), re.compile(r"Problem \d+"))


def _number(value: Any) -> float:
    if value is None:
        return math.nan
    if isinstance(value, str):
        return float(value)  # "inf", "-inf", "nan" as lithoflow.core.io writes them
    return float(value)


def _inf(value: float, unsigned: bool) -> str | None:
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞" if value > 0 or unsigned else "−∞"
    return None


def _signed(value: float) -> str:
    text = f"{value * 100:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


FORMATS: dict[str, tuple[Callable[[float], str], bool]] = {
    "percent": (lambda v: f"{v * 100:.2f}%", False),
    "abs_percent": (lambda v: f"{abs(v) * 100:.2f}%", True),
    "percent_value": (lambda v: f"{v:.2f}%", False),
    "points": (lambda v: f"{abs(v) * 100:.2f}", True),
    "signed_points": (_signed, False),
    "count": (lambda v: f"{v:,.0f}", False),
    "decimal": (lambda v: f"{v:.4f}", False),
    "abs_decimal": (lambda v: f"{abs(v):.4f}", True),
    "real": (lambda v: f"{v:,.2f}", False),
    "plain": (lambda v: f"{v:g}", False),
}


def formatted(value: Any, fmt: str) -> str:
    write, unsigned = FORMATS[fmt]
    number = _number(value)
    special = _inf(number, unsigned)
    if special is not None:
        return special
    if fmt == "plain" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return write(number)


def recompute(expr: Mapping[str, Any], documents: Mapping[str, Any]) -> Any:
    """The value of a traced expression, from `documents` (source name -> loaded content)."""
    if "ref" in expr:
        source, *path = expr["ref"]
        value = documents[source]
        for key in path:
            value = value[key]
        return value
    if "const" in expr:
        return expr["const"]
    args = [recompute(a, documents) for a in expr["args"]]
    if expr["op"] == "len":
        return len(args[0])
    if expr["op"] in ("max", "sum"):
        values = [_number(x) for x in args]
        return max(values) if expr["op"] == "max" else sum(values)
    a, b = (_number(x) for x in args)
    if expr["op"] == "sub":
        return a - b
    if expr["op"] == "div":
        if b == 0:
            return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
        return a / b
    raise AssertionError(f"unknown operation {expr['op']!r}")


def untraced_numbers(markdown: str, numbers: list[dict[str, Any]]) -> list[str]:
    """Numbers in the text that no traced entry covers (with some context)."""
    text = markdown
    for pattern in NOT_NUMBERS:
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    spans = sorted((n["start"], n["end"]) for n in numbers)
    found = []
    for match in NUMBER.finditer(text):
        if not any(start <= match.start() and match.end() <= end for start, end in spans):
            found.append(markdown[max(0, match.start() - 30) : match.end() + 10])
    return found


def mismatched_numbers(
    markdown: str, numbers: list[dict[str, Any]], documents: Mapping[str, Any]
) -> list[str]:
    """Traced numbers whose text is not at their offsets, or not their recomputed value."""
    problems = []
    for entry in numbers:
        shown = markdown[entry["start"] : entry["end"]]
        expected = formatted(recompute(entry["expr"], documents), entry["format"])
        if shown != entry["text"] or shown != expected:
            problems.append(f"{entry['expr']}: printed {shown!r}, recomputed {expected!r}")
    return problems


def table_rows(markdown: str, header_start: str) -> list[list[str]]:
    """Cells of each body row of the first table whose header line starts with `header_start`."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header_start))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows
