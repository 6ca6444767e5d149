"""Look-ups that several sections share: the runs and scopes present, recalls, chance levels and
the investigation's figures of a run (under the investigation's name for it)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from lithoflow.report.plan import Comparison, SummaryPlan
from lithoflow.report.tracing import DASH, Const, Key, Op, Tracer, div, ref, sub
from lithoflow.report.wording import SCORE_WORDS, code, compare_sentence, reference_text

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
    sentence = interval_sentence(t, subject, other, metric, a, b)
    if sentence is None:
        sentence = compare_sentence(
            t,
            subject,
            other,
            METRIC_WORDS[metric],
            ref(f"metrics:{a}", metric),
            ref(f"metrics:{b}", metric),
        )
        sentence += " (no interval: a single fit per run)"
    investigation = " vs ".join(
        run_reference(t, plan, "classifiers", run, metric, fmt="percent") for run in pair.runs
    )
    return f"{sentence} Investigation: {investigation}."


def _bounds(t: Tracer, run: str, metric: str) -> tuple[float, float] | None:
    """A run's 95 % interval of `metric` over its units, when it has one."""
    source = f"metrics:{run}"
    if not (t.inputs.has(source, "intervals", metric, "low")):
        return None
    low = t.value(ref(source, "intervals", metric, "low"))
    high = t.value(ref(source, "intervals", metric, "high"))
    try:
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        return None
    return (low, high) if math.isfinite(low) and math.isfinite(high) else None


def interval_text(t: Tracer, run: str, metric: str) -> str:
    """ "[low, high]" of a run's 95 % interval, traced."""
    source = f"metrics:{run}"
    low = t.num(ref(source, "intervals", metric, "low"), "percent")
    high = t.num(ref(source, "intervals", metric, "high"), "percent")
    return f"[{low}, {high}]"


def interval_sentence(
    t: Tracer, subject: str, other: str, metric: str, a: str, b: str
) -> str | None:
    """The pair compared on `metric` through their 95 % intervals over replicates (or folds):
    one beats the other only when the intervals do not overlap. None without intervals."""
    bounds_a, bounds_b = _bounds(t, a, metric), _bounds(t, b, metric)
    if bounds_a is None or bounds_b is None:
        return None
    confidence = t.num(ref(f"metrics:{a}", "intervals", metric, "confidence"), "percent")
    both = (
        f"{t.num(ref(f'metrics:{a}', metric), 'percent')} vs "
        f"{t.num(ref(f'metrics:{b}', metric), 'percent')}; {confidence} intervals "
        f"{interval_text(t, a, metric)} and {interval_text(t, b, metric)}"
    )
    words = METRIC_WORDS[metric]
    if bounds_a[0] > bounds_b[1] or bounds_a[1] < bounds_b[0]:
        verb = SCORE_WORDS.higher if bounds_a[0] > bounds_b[1] else SCORE_WORDS.lower
        difference = t.num(
            sub(ref(f"metrics:{a}", metric), ref(f"metrics:{b}", metric)),
            SCORE_WORDS.difference_fmt,
        )
        return (
            f"{subject} {verb} {other} on {words} by {difference}{SCORE_WORDS.difference_unit} "
            f"({both}, which do not overlap)."
        )
    return f"{subject} and {other}: no distinguishable difference on {words} ({both} overlap)."
