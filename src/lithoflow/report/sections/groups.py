"""Per-group accuracy: recall of each group under the group-level runs."""

from __future__ import annotations

from collections.abc import Sequence

from lithoflow.report.plan import SummaryPlan
from lithoflow.report.sections.common import (
    recall,
    recall_index,
    run_reference,
    run_reference_items,
    runs_with_metrics,
    spec,
)
from lithoflow.report.tracing import DASH, Tracer, ref, sub, to_number
from lithoflow.report.wording import code, names, table

TITLE = "Per-group accuracy"


def _group_pair(plan: SummaryPlan, runs: Sequence[str]) -> tuple[str, str] | None:
    """The runs of the first configured comparison between two of the group-level `runs`."""
    return next((p.runs for p in plan.comparisons if set(p.runs) <= set(runs)), None)


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    lines = [f"## {TITLE}", ""]
    group_runs = [r for r in runs_with_metrics(t) if spec(t, r)["target"] == "group"]
    if not group_runs:
        return [*lines, "No group-level classifier was given.", ""]
    pair = _group_pair(plan, group_runs)
    # The compared pair first, then the other group-level runs in config order.
    runs = [*(pair or ()), *(r for r in group_runs if r not in (pair or ()))]
    indices = {run: recall_index(t, run) for run in runs}
    order: list[str] = []
    for run in runs:
        order += [g for g in indices[run] if g not in order]
    # The investigation's groups that this run's test parts lack still get a row, with dashes.
    quoted = {run: run_reference_items(t, plan, "per_group_recall", run) for run in runs}
    for run in runs:
        order += [g for g in quoted[run] if g not in order]
    higher: dict[str, list[str]] = {run: [] for run in pair or ()}
    equal: list[str] = []
    rows = []
    for group in order:
        holder = next((r for r in runs if group in indices[r]), None)
        quoted_by = next((r for r in runs if group in quoted[r]), None)
        row = [
            code(group),
            DASH if holder is None else t.at(f"metrics:{holder}", "per_class_recall",
                                             indices[holder][group], "support", fmt="count"),
            DASH if quoted_by is None else run_reference(
                t, plan, "per_group_recall", quoted_by, group, "support", fmt="count"),
        ]  # fmt: skip
        for run in runs:
            row.append(recall(t, run, indices[run], group))
            row.append(
                run_reference(t, plan, "per_group_recall", run, group, "recall", fmt="percent")
            )
        if pair and all(group in indices[r] for r in pair):
            a, b = (ref(f"metrics:{r}", "per_class_recall", indices[r][group], "recall")
                    for r in pair)  # fmt: skip
            row.append(t.num(sub(a, b), "signed_points"))
            if t.text(a, "percent") == t.text(b, "percent"):
                equal.append(group)
            else:
                up = to_number(t.value(a)) > to_number(t.value(b))
                higher[pair[0] if up else pair[1]].append(group)
        elif pair:
            row.append(DASH)
        rows.append(row)
    header = ["group", "test rows", "investigation test rows"]
    for run in runs:
        header += [f"recall {code(run)}", "investigation"]
    if pair:
        header.append(f"{code(pair[0])} − {code(pair[1])} (points)")
    lines += [
        "Recall (per-group accuracy) on the test part. Groups this run's test part lacks but the "
        "investigation reports show dashes here.",
        "",
        *table(header, rows),
    ]
    if pair:
        first, second = pair
        lines += [
            f"Higher recall for {code(first)}: {names(higher[first])}. Higher for "
            f"{code(second)}: {names(higher[second])}. Equal: {names(equal)}.",
            "",
        ]
    for run in runs:
        absent = t.inputs.get(f"metrics:{run}", "classes_absent_from_test", default=[])
        lines.append(f"- Groups of {code(run)} absent from its test part: {names(absent)}.")
    return [*lines, ""]
