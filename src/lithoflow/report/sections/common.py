"""Look-ups that several sections share: the runs and scopes present, recalls, chance levels and
the investigation's figures of a run (under the investigation's name for it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lithoflow.report.plan import Comparison, SummaryPlan
from lithoflow.report.tracing import DASH, Const, Key, Op, Tracer, div, ref
from lithoflow.report.wording import code, compare_sentence, reference_text

PARTS = ("train", "val", "test")
LEVELS = ("lithology", "group")
# How the metrics of a run's metrics.json read in a sentence.
METRIC_WORDS = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "macro_f1": "macro F-score",
}


def runs_with_metrics(t: Tracer) -> list[str]:
    """The configured classifier runs whose metrics were given, in config order."""
    return [r for r in t.inputs.config["classifiers"]["runs"] if t.inputs.has(f"metrics:{r}")]


def spec(t: Tracer, run: str) -> Mapping[str, Any]:
    return t.inputs.get(f"metrics:{run}", "spec")


def scopes_with_reports(t: Tracer) -> list[str]:
    """The configured reconstruction scopes whose reports were given, in config order."""
    scopes = t.inputs.config["validation"]["reconstruction_scopes"]
    return [s for s in scopes if t.inputs.has(f"reconstruction:{s}")]


def recall_index(t: Tracer, run: str) -> dict[str, int]:
    """Class -> its index in the run's per_class_recall (the classes present in test)."""
    rows = t.inputs.get(f"metrics:{run}", "per_class_recall", default=[])
    return {str(row["class"]): i for i, row in enumerate(rows)}


def recall(t: Tracer, run: str, index: Mapping[str, int], name: str) -> str:
    i = index.get(name)
    return (
        DASH
        if i is None
        else t.at(f"metrics:{run}", "per_class_recall", i, "recall", fmt="percent")
    )


def versus(t: Tracer, path_a: Sequence[Key], path_b: Sequence[Key], fmt: str) -> str:
    return f"{reference_text(t, path_a, fmt)} vs {reference_text(t, path_b, fmt)}"


def chance(run: str) -> Op:
    """One over the number of classes present in the run's test part."""
    return div(Const(1), ref(f"metrics:{run}", "n_test_classes_present"))


def run_reference(
    t: Tracer, plan: SummaryPlan, section: str, run: str, *path: Key, fmt: str
) -> str:
    """The investigation's figure for `run` at reference `section`/<its name there>/`path`
    (a dash when `run` repeats none of the investigation's runs)."""
    name = plan.investigation_run(run)
    return DASH if name is None else reference_text(t, (section, name, *path), fmt)


def run_reference_items(t: Tracer, plan: SummaryPlan, section: str, run: str) -> Mapping:
    """The investigation's entries for `run` under reference `section` (empty if none)."""
    name = plan.investigation_run(run)
    return {} if name is None else t.inputs.get("reference", section, name, default={})


def reference_only_rows(
    t: Tracer,
    shown: Sequence[str],
    base: tuple[str, ...],
    columns: Sequence[tuple[str | None, str]],
    n_dashes: int,
) -> list[list[str]]:
    """Rows for the investigation's groups under `base` that this run lacks: the group, dashes
    for this run's `n_dashes` columns, then the investigation's figures (key, format)."""
    quoted = t.inputs.get("reference", *base, default={})
    return [
        [code(group), *([DASH] * n_dashes),
         *(reference_text(t, (*base, group, *([key] if key else [])), fmt) for key, fmt in columns)]
        for group in quoted
        if group not in shown
    ]  # fmt: skip


def pair_sentence(
    t: Tracer, plan: SummaryPlan, pair: Comparison, metric: str, subject: str, other: str
) -> str:
    """The pair's runs compared on `metric` (worded as `subject` and `other`), then the
    investigation's figures of the runs they repeat."""
    a, b = pair.runs
    sentence = compare_sentence(
        t,
        subject,
        other,
        METRIC_WORDS[metric],
        ref(f"metrics:{a}", metric),
        ref(f"metrics:{b}", metric),
    )
    investigation = " vs ".join(
        run_reference(t, plan, "classifiers", run, metric, fmt="percent") for run in pair.runs
    )
    return f"{sentence} Investigation: {investigation}."
