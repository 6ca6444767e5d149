"""Problem 1, split mismatch: classes missing from train, divergences and the worst mismatches
of each split method."""

from __future__ import annotations

from collections.abc import Sequence

from lithoflow.report.plan import SummaryPlan
from lithoflow.report.sections.common import PARTS
from lithoflow.report.tracing import DASH, Tracer, ref
from lithoflow.report.wording import code, names, reference_text, table

TITLE = "Problem 1: split mismatch"
TOP_MISMATCHES = 5


def _mismatch_methods(t: Tracer) -> list[str]:
    found = t.inputs.get("mismatch", "methods")
    methods = [m for m in t.inputs.config["splits"]["methods"] if m in found]
    return methods + [m for m in found if m not in methods]


def _mismatch_table(t: Tracer, methods: Sequence[str]) -> list[str]:
    rows = []
    for method in methods:
        base = ("mismatch", "methods", method)
        rows.append(
            [
                code(method),
                t.at(*base, "classes", "n_missing_from_train", "test", fmt="count"),
                t.at(*base, "classes", "n_missing_from_train", "val", fmt="count"),
                t.at(*base, "groups", "n_missing_from_train", "test", fmt="count"),
                *(t.at(*base, "classes", "jsd_bits_from_whole", p, fmt="decimal") for p in PARTS),
                t.at(*base, "groups", "jsd_bits_from_whole", "test", fmt="decimal"),
                reference_text(t, ("splits", method, "test_classes_missing_from_train"), "count"),
            ]
        )
    header = ["method", "test classes missing from train", "val classes missing from train"]
    header += ["test groups missing from train", "JSD train", "JSD val", "JSD test"]
    header += ["JSD test (groups)", "investigation: test classes missing from train"]
    lines = table(header, rows)
    counts = {
        m: t.inputs.get("mismatch", "methods", m, "classes", "n_missing_from_train", "test")
        for m in methods
        if t.inputs.has("mismatch", "methods", m, "classes", "n_missing_from_train", "test")
    }
    if counts:
        best = [m for m, n in counts.items() if n == min(counts.values())]
        path = ("mismatch", "methods", best[0], "classes", "n_missing_from_train", "test")
        lines += [
            f"Fewest test classes missing from train: {names(best)} "
            f"({t.num(ref(*path), 'count')}).",
            "",
        ]
    return lines


def _entropy_table(t: Tracer, methods: Sequence[str]) -> list[str]:
    rows = []
    for method in methods:
        for level in ("classes", "groups"):
            base = ("mismatch", "methods", method, level, "entropy_bits")
            if t.inputs.has(*base):
                investigation = " / ".join(
                    reference_text(t, ("splits", method, "entropy_bits", level, p), "decimal")
                    for p in PARTS
                )
                numbers = [t.at(*base, p, fmt="decimal") for p in ("whole", *PARTS)]
                rows.append([code(method), level, *numbers, investigation])
    header = ["method", "level", "whole", "train", "val", "test"]
    header.append("investigation train / val / test")
    return ["Entropy of the class shares (bits):", "", *table(header, rows)]


def _worst_mismatch_lines(t: Tracer, methods: Sequence[str]) -> list[str]:
    lines = []
    minimum = t.at("mismatch", "min_test_rows", fmt="count")
    for method in methods:
        base = ("mismatch", "methods", method, "worst_mismatches")
        worst = t.inputs.get(*base, default=[])[:TOP_MISMATCHES]
        if not worst:
            lines += [f"Under {code(method)} no class has at least {minimum} test rows.", ""]
            continue
        columns = (("train_count", "count"), ("test_count", "count"),
                   ("train_percent", "percent_value"), ("test_percent", "percent_value"),
                   ("test_train_ratio", "real"))  # fmt: skip
        rows = [
            [code(item["label"]), code(item["group"]) if item.get("group") else DASH,
             *(t.at(*base, i, key, fmt=fmt) for key, fmt in columns)]
            for i, item in enumerate(worst)
        ]  # fmt: skip
        header = ["class", "group", "train rows", "test rows", "train share", "test share"]
        header.append("test share / train share")
        lines += [
            f"Worst mismatches under {code(method)} (classes with at least {minimum} test rows):",
            "",
            *table(header, rows),
        ]
    path = ("splits", "random", "worst_mismatch")
    if t.inputs.has("reference", *path, "label"):
        lines += [
            f"Investigation, random split: {code(t.inputs.get('reference', *path, 'label'))} with "
            f"{reference_text(t, (*path, 'train_count'), 'count')} training and "
            f"{reference_text(t, (*path, 'test_count'), 'count')} test rows, a ratio of "
            f"{reference_text(t, (*path, 'test_train_ratio'), 'real')}.",
            "",
        ]
    return lines


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    lines = [f"## {TITLE}", ""]
    if not t.inputs.has("mismatch", "methods"):
        return [*lines, "No split comparison was given.", ""]
    methods = _mismatch_methods(t)
    lines += [
        "A class in the test part but not in the training part can never be predicted, and a "
        "test part unlike the training part makes accuracy a statement about that test part. "
        "Jensen-Shannon divergences (JSD, bits) compare each part's class shares with the whole "
        "dataset's.",
        "",
        *_mismatch_table(t, methods),
        *_entropy_table(t, methods),
    ]
    for method in methods:
        base = ("mismatch", "methods", method, "classes", "missing_from_train", "test")
        listed = ", ".join(
            f"{code(label)} (n = {t.num(ref(*base, label), 'count')})"
            for label in sorted(t.inputs.get(*base, default={}))
        )
        lines += [
            f"Test classes missing from train under {code(method)}, with their test rows: "
            f"{listed or 'none'}.",
            "",
        ]
    return [*lines, *_worst_mismatch_lines(t, methods)]
