"""Numbers with a source: expressions over the run's result files, their formats, and the
Tracer that prints each number and records where it came from."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Key = str | int

# --- expressions over the inputs ------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """The value at `path` (keys and list indices) inside the input document named `source`."""

    source: str
    path: tuple[Key, ...]


@dataclass(frozen=True)
class Const:
    """A fixed number, only as an operand (the 1 of 1/K)."""

    value: float


@dataclass(frozen=True)
class Op:
    """An operation (a key of OPERATIONS) on the values of other expressions."""

    name: str
    args: tuple[Expr, ...]


Expr = Ref | Const | Op


def ref(source: str, *path: Key) -> Ref:
    return Ref(source, tuple(path))


def sub(a: Expr, b: Expr) -> Op:
    return Op("sub", (a, b))


def div(a: Expr, b: Expr) -> Op:
    return Op("div", (a, b))


def length(a: Expr) -> Op:
    return Op("len", (a,))


def maximum(*args: Expr) -> Op:
    return Op("max", tuple(args))


def total(*args: Expr) -> Op:
    return Op("sum", tuple(args))


def to_number(value: Any) -> float | int:
    """A JSON value as a number; "inf", "-inf", "nan" (lithoflow.core.io) and None too."""
    if value is None:
        return math.nan
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and value in ("inf", "-inf", "nan"):
        return float(value)
    raise TypeError(f"not a number: {value!r}")


def safe_div(a: Any, b: Any) -> float:
    """a / b, with x/0 = ±inf and 0/0 = nan (as the JSON writers record them)."""
    a, b = to_number(a), to_number(b)
    if b == 0:
        return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
    return a / b


OPERATIONS: dict[str, Callable[..., Any]] = {
    "sub": lambda a, b: to_number(a) - to_number(b),
    "div": safe_div,
    "len": len,
    "max": lambda *values: max(to_number(v) for v in values),
    "sum": lambda *values: sum(to_number(v) for v in values),
}


def lookup(document: Any, path: Sequence[Key]) -> Any:
    """The value at `path` in nested dicts and lists (KeyError/IndexError if absent)."""
    for key in path:
        document = document[key]
    return document


def evaluate(expr: Expr, documents: Mapping[str, Any]) -> Any:
    """The value of an expression over the named documents."""
    if isinstance(expr, Ref):
        return lookup(documents[expr.source], expr.path)
    if isinstance(expr, Const):
        return expr.value
    return OPERATIONS[expr.name](*(evaluate(a, documents) for a in expr.args))


def expr_to_json(expr: Expr) -> dict[str, Any]:
    """JSON form: {"ref": [source, *path]}, {"const": value} or {"op": name, "args": [...]}."""
    if isinstance(expr, Ref):
        return {"ref": [expr.source, *expr.path]}
    if isinstance(expr, Const):
        return {"const": expr.value}
    return {"op": expr.name, "args": [expr_to_json(a) for a in expr.args]}


# --- number formats -------------------------------------------------------------------------------


def _signed_points(value: float) -> str:
    text = f"{value * 100:+.2f}"
    return "0.00" if text in ("+0.00", "-0.00") else text


# One format per kind of quantity, used everywhere: fractions print as percentages with two
# decimals, scores, errors and distances with four, counts with thousands separators.
FORMATS: dict[str, Callable[[float], str]] = {
    "percent": lambda v: f"{v * 100:.2f}%",  # a fraction (0-1) as a percentage
    "abs_percent": lambda v: f"{abs(v) * 100:.2f}%",  # its size; words say the sign
    "percent_value": lambda v: f"{v:.2f}%",  # a value that already is a percentage
    "points": lambda v: f"{abs(v) * 100:.2f}",  # size of a difference of fractions, in points
    "signed_points": _signed_points,  # a difference of fractions, in points, with its sign
    "count": lambda v: f"{v:,.0f}",
    "decimal": lambda v: f"{v:.4f}",
    "abs_decimal": lambda v: f"{abs(v):.4f}",
    "real": lambda v: f"{v:,.2f}",  # sizes and ratios
    "plain": lambda v: str(v) if isinstance(v, int) else f"{v:g}",  # config values
}
UNSIGNED_FORMATS = ("points", "abs_percent", "abs_decimal")
NOT_AVAILABLE = "n/a"
DASH = "–"


def format_value(value: Any, fmt: str) -> str:
    """`value` in format `fmt`; nan prints as n/a and infinities as ∞."""
    number = to_number(value)
    if isinstance(number, float) and math.isnan(number):
        return NOT_AVAILABLE
    if isinstance(number, float) and math.isinf(number):
        return "∞" if number > 0 or fmt in UNSIGNED_FORMATS else "−∞"
    return FORMATS[fmt](number)


def _json_value(value: Any) -> Any:
    number = to_number(value)
    return number if math.isfinite(number) else str(number)


# --- inputs and the tracer ------------------------------------------------------------------------

_ABSENT = object()
_NO_DEFAULT = object()


@dataclass(frozen=True)
class ReportInputs:
    """Loaded inputs by source name, and the file each came from (for the trace).

    Source names: config, reference, ingest, realism (simulated data only),
    lithology_distribution, group_distribution, mismatch, hierarchy, data_driven (the
    data-driven hierarchy's summary, when built), split:{method},
    metrics:{run}, classifier:{run} (the run's config.json), vae:{name} (its config.json),
    history:{name} (its history.csv as a list of records), reconstruction:{scope},
    vae_comparison (results/validation/vae_comparison.csv as a list of records).
    """

    documents: Mapping[str, Any]
    paths: Mapping[str, str] = field(default_factory=dict)

    def has(self, source: str, *path: Key) -> bool:
        return self.get(source, *path, default=_ABSENT) is not _ABSENT

    def get(self, source: str, *path: Key, default: Any = _NO_DEFAULT) -> Any:
        """The value at `path` in `source`: `default` if absent, KeyError without one."""
        try:
            return lookup(self.documents[source], path)
        except (KeyError, IndexError, TypeError):
            if default is _NO_DEFAULT:
                raise KeyError(f"{source}: {'/'.join(str(p) for p in path)}") from None
            return default

    @property
    def config(self) -> Mapping[str, Any]:
        return self.documents["config"]


PLACEHOLDER = re.compile("\ue000(\\d+)\ue001")


class Tracer:
    """Prints numbers of the inputs as placeholders and records where each comes from."""

    def __init__(self, inputs: ReportInputs) -> None:
        self.inputs = inputs
        self._entries: list[tuple[Expr, str]] = []

    def value(self, expr: Expr) -> Any:
        return evaluate(expr, self.inputs.documents)

    def text(self, expr: Expr, fmt: str) -> str:
        """How `expr` prints in `fmt` (not recorded: for choosing words)."""
        return format_value(self.value(expr), fmt)

    def num(self, expr: Expr, fmt: str) -> str:
        """A placeholder for `expr` printed in `fmt`, filled in by `render`."""
        self.text(expr, fmt)  # fail now, while the section that asked is known
        self._entries.append((expr, fmt))
        return f"\ue000{len(self._entries) - 1}\ue001"

    def at(self, source: str, *path: Key, fmt: str) -> str:
        """The number at `path` in `source`, or a dash when it is absent."""
        return self.num(ref(source, *path), fmt) if self.inputs.has(source, *path) else DASH

    def render(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        """Fill in the placeholders; return the text and its numbers with their offsets."""
        pieces: list[str] = []
        numbers: list[dict[str, Any]] = []
        position = offset = 0
        for match in PLACEHOLDER.finditer(text):
            pieces.append(text[position : match.start()])
            offset += match.start() - position
            expr, fmt = self._entries[int(match.group(1))]
            value = self.value(expr)
            shown = format_value(value, fmt)
            numbers.append(
                {
                    "text": shown,
                    "start": offset,
                    "end": offset + len(shown),
                    "format": fmt,
                    "value": _json_value(value),
                    "expr": expr_to_json(expr),
                }
            )
            pieces.append(shown)
            offset += len(shown)
            position = match.end()
        pieces.append(text[position:])
        return "".join(pieces), numbers
