"""Classifiers: test metrics and training of each run, the configured comparisons, and the
recall of the largest test classes."""

from __future__ import annotations

import math
from collections.abc import Sequence

from lithoflow.report.plan import Comparison, SummaryPlan
from lithoflow.report.sections.common import (
    METRIC_WORDS,
    chance,
    pair_sentence,
    recall,
    recall_index,
    run_reference,
    runs_with_metrics,
    spec,
)
from lithoflow.report.tracing import DASH, Key, Tracer, div, ref, to_number
from lithoflow.report.wording import code, reference_text, table

TITLE = "Classifiers"
TOP_TEST_CLASSES = 10
# A metric's words when a pair's second sentence repeats the pair on it.
ALSO_WORDS = {**METRIC_WORDS, "accuracy": "plain accuracy"}


def _classifier_tables(t: Tracer, plan: SummaryPlan, runs: Sequence[str]) -> list[str]:
    rows = []
    for run in runs:
        source = f"metrics:{run}"
        present = t.at(source, "n_test_classes_present", fmt="count")
        rows.append(
            [
                code(run),
                t.at(source, "accuracy", fmt="percent"),
                run_reference(t, plan, "classifiers", run, "accuracy", fmt="percent"),
                t.at(source, "balanced_accuracy", fmt="percent"),
                run_reference(t, plan, "classifiers", run, "balanced_accuracy", fmt="percent"),
                t.at(source, "macro_f1", fmt="percent"),
                f"{present} of {t.at(source, 'n_classes', fmt='count')}",
                t.at(source, "rows", "test", fmt="count"),
            ]
        )
    header = ["run", "accuracy", "investigation", "balanced accuracy", "investigation"]
    header += ["macro F-score", "classes present in test", "test rows"]
    training = []
    for run in runs:
        source = f"metrics:{run}"
        selection = t.inputs.get(source, "selection_metric", default="")
        best = DASH
        if selection and t.inputs.has(source, "best_validation", selection):
            best = f"{code(selection)} {t.at(source, 'best_validation', selection, fmt='percent')}"
        training.append(
            [
                code(run),
                t.at(f"classifier:{run}", "architecture", "parameters", fmt="count"),
                run_reference(t, plan, "classifiers", run, "parameters", fmt="count"),
                t.at(source, "class_weight_ratio", fmt="real"),
                run_reference(t, plan, "classifiers", run, "class_weight_ratio", fmt="real"),
                t.at(source, "best_epoch", fmt="count"),
                t.at(source, "stop_epoch", fmt="count"),
                run_reference(t, plan, "classifiers", run, "stop_epoch", fmt="count"),
                best,
            ]
        )
    training_header = ["run", "parameters", "investigation", "largest : smallest class weight"]
    training_header += ["investigation", "best epoch", "last epoch", "investigation: last epoch"]
    training_header.append("best validation score")
    return [
        "Test metrics. Balanced accuracy is the mean recall over the classes present in the "
        "test part only.",
        "",
        *table(header, rows),
        "Training:",
        "",
        *table(training_header, training),
    ]


def _ratio_line(t: Tracer, pair: Comparison, metric: str, claim: Sequence[Key]) -> str:
    """The subject's score as a multiple of the other's, with the chance level of each (one over
    the classes present in test): the investigation compared runs over different class sets so."""
    subject, other = pair.runs
    ratio = div(ref(f"metrics:{subject}", metric), ref(f"metrics:{other}", metric))
    finite = math.isfinite(to_number(t.value(ratio)))
    shown = f"{t.num(ratio, 'real')} times" if finite else "not a finite multiple of"
    levels = ", ".join(f"{code(r)} {t.num(chance(r), 'percent')}" for r in pair.runs)
    return (
        f"  {code(subject)}'s {METRIC_WORDS[metric]} is {shown} {code(other)}'s (investigation: "
        f"{reference_text(t, claim, 'real')} times). Chance level (one over the classes present "
        f"in test): {levels}."
    )


def _relative_line(t: Tracer, metric: str, claim: Sequence[Key]) -> str:
    """What the investigation made of a relative difference."""
    return (
        f"  The investigation reads its relative difference, "
        f"{reference_text(t, claim, 'percent')}, as discriminative information the VAE "
        f"loses; it is a relative gain in {METRIC_WORDS[metric]}, not a measure of information."
    )


def _claim_lines(t: Tracer, plan: SummaryPlan, pair: Comparison, metric: str) -> list[str]:
    """The investigation's own claims about the pair on `metric`: a relative difference it
    interpreted, or a multiple it quoted (reference "comparisons", by the investigation's runs)."""
    key = plan.investigation_pair(pair)
    if key is None:
        return []
    lines = []
    relative = ("comparisons", key, f"{metric}_relative")
    if t.inputs.has("reference", *relative):
        lines.append(_relative_line(t, metric, relative))
    ratio = ("comparisons", key, f"{metric}_ratio")
    if t.inputs.has("reference", *ratio):
        lines.append(_ratio_line(t, pair, metric, ratio))
    return lines


def _comparison_lines(t: Tracer, plan: SummaryPlan, runs: Sequence[str]) -> list[str]:
    """Each configured comparison whose runs were given, one sentence per metric."""
    lines = ["Comparisons the investigation made, recomputed from this run:", ""]
    if not plan.comparisons:
        return [*lines, "- None: the config lists no comparisons (report.comparisons).", ""]
    for pair in plan.comparisons:
        if not set(pair.runs) <= set(runs):
            continue
        for i, metric in enumerate(pair.metrics):
            lead = pair.title if i == 0 else f"the same pair on {ALSO_WORDS[metric]}"
            sentence = pair_sentence(t, plan, pair, metric, *(code(r) for r in pair.runs))
            lines.append(f"- {lead[0].upper()}{lead[1:]}: {sentence}")
            lines += _claim_lines(t, plan, pair, metric)
    if len(lines) == 2:
        lines.append("- None: the runs they compare are not all configured.")
    return [*lines, ""]


def _top_class_lines(t: Tracer, plan: SummaryPlan, runs: Sequence[str]) -> list[str]:
    """Recall of the largest test classes of the label-level runs, one table per split."""
    by_split: dict[str, list[str]] = {}
    for run in runs:
        if spec(t, run)["target"] == "lithology":
            by_split.setdefault(str(spec(t, run)["split"]), []).append(run)
    lines: list[str] = []
    for split, split_runs in by_split.items():
        first = split_runs[0]
        top = t.inputs.get(f"metrics:{first}", "per_class_recall", default=[])[:TOP_TEST_CLASSES]
        indices = {run: recall_index(t, run) for run in split_runs}
        rows = []
        for i, item in enumerate(top):
            label = str(item["class"])
            row = [
                code(label),
                t.at(f"metrics:{first}", "per_class_recall", i, "support", fmt="count"),
            ]
            for run in split_runs:
                row.append(recall(t, run, indices[run], label))
                row.append(
                    run_reference(t, plan, "per_class_recall", run, label, "recall", fmt="percent")
                )
            rows.append(row)
        header = ["class", "test rows"]
        for run in split_runs:
            header += [f"recall {code(run)}", "investigation"]
        lines += [
            f"Recall of the largest test classes, split {code(split)} (label-level runs):",
            "",
            *table(header, rows),
        ]
    return lines


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    lines = [f"## {TITLE}", ""]
    runs = runs_with_metrics(t)
    if not runs:
        return [*lines, "No classifier was given.", ""]
    return [
        *lines,
        *_classifier_tables(t, plan, runs),
        *_comparison_lines(t, plan, runs),
        *_top_class_lines(t, plan, runs),
    ]
