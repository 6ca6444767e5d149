"""Problem 2, class imbalance: how unequal the lithology and group classes are."""

from __future__ import annotations

from collections.abc import Sequence

from lithoflow.report.plan import SummaryPlan
from lithoflow.report.sections.common import LEVELS
from lithoflow.report.tracing import DASH, Key, Tracer, div, length, ref
from lithoflow.report.wording import code, reference_text, table

TITLE = "Problem 2: class imbalance"


def _under_keys(t: Tracer) -> list[str]:
    """The distribution reports' under_<threshold>_percent keys, largest threshold first."""
    keys: set[str] = set()
    for level in LEVELS:
        document = t.inputs.get(f"{level}_distribution", default={})
        keys.update(k for k in document if k.startswith("under_") and k.endswith("_percent"))
    return sorted(keys, key=lambda k: -float(k.removeprefix("under_").removesuffix("_percent")))


# Rows below each threshold of rarity: label (with the threshold), key, format.
UNDER_ROWS = (
    ("classes under {} of rows", "n_classes", "count"),
    ("their share of classes", "percent_of_classes", "percent_value"),
    ("rows in them", "rows", "count"),
    ("their share of rows", "percent_of_rows", "percent_value"),
)


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    lines = [f"## {TITLE}", ""]
    levels = [lv for lv in LEVELS if t.inputs.has(f"{lv}_distribution")]
    if not levels:
        return [*lines, "No class distribution was given.", ""]

    def row(label: str, path: Sequence[Key], fmt: str, reference: Sequence[Key] = ()) -> list:
        """This run's number and the investigation's, for lithologies then groups."""
        cells = [label]
        for level in LEVELS:
            cells.append(t.at(f"{level}_distribution", *path, fmt=fmt))
            quoted = ("imbalance", level, *reference)
            cells.append(reference_text(t, quoted, fmt) if reference else DASH)
        return cells

    def largest(level: str) -> list[str]:
        name = t.inputs.get(f"{level}_distribution", "largest_class", "name", default=None)
        quoted = t.inputs.get("reference", "imbalance", level, "largest_class_name", default=None)
        return [code(name) if name else DASH, code(quoted) if quoted else DASH]

    def share(level: str) -> list[str]:
        source = f"{level}_distribution"
        quoted = reference_text(t, ("imbalance", level, "largest_class_share"), "percent")
        if not t.inputs.has(source, "largest_class", "count"):
            return [DASH, quoted]
        rows_share = div(ref(source, "largest_class", "count"), ref(source, "total_rows"))
        return [t.num(rows_share, "percent"), quoted]

    def tied_smallest(level: str) -> list[str]:
        source = f"{level}_distribution"
        if not t.inputs.has(source, "smallest_classes", "names"):
            return [DASH, DASH]
        return [t.num(length(ref(source, "smallest_classes", "names")), "count"), DASH]

    rows = [
        row("rows", ("total_rows",), "count", ("total_rows",)),
        row("classes", ("n_classes",), "count", ("n_classes",)),
        ["largest class", *(c for level in LEVELS for c in largest(level))],
        row("rows of the largest class", ("largest_class", "count"), "count",
            ("largest_class_count",)),
        ["its share of rows", *(c for level in LEVELS for c in share(level))],
        row("rows of the smallest class", ("smallest_classes", "count"), "count",
            ("smallest_class_count",)),
        ["classes that small", *(c for level in LEVELS for c in tied_smallest(level))],
        row("largest : smallest", ("max_min_ratio",), "real", ("max_min_ratio",)),
        row("median class size", ("median_class_size",), "real", ("median_class_size",)),
        row("mean class size", ("mean_class_size",), "real", ("mean_class_size",)),
        row("single-row classes", ("n_single_row_classes",), "count", ("n_single_row_classes",)),
        row("entropy (bits)", ("entropy_bits",), "decimal"),
    ]  # fmt: skip
    for key in _under_keys(t):
        source = next(
            f"{lv}_distribution" for lv in levels if t.inputs.has(f"{lv}_distribution", key)
        )
        threshold = t.num(ref(source, key, "threshold_percent"), "percent_value")
        rows += [row(label.format(threshold), (key, name), fmt, (key, name))
                 for label, name, fmt in UNDER_ROWS]  # fmt: skip
    return [
        *lines,
        "How unequal the classes are, over every row of the dataset, for the lithology labels "
        "and for the expert groups:",
        "",
        *table(["", "lithologies", "investigation", "groups", "investigation"], rows),
    ]
