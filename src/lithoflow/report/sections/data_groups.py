"""Expert against data-driven groups: how the two mappings agree, and how one classifier recipe
scores on each, against each mapping's own chance levels (config report.hierarchy_comparisons)."""

from __future__ import annotations

from lithoflow.report.plan import SummaryPlan
from lithoflow.report.sections.common import chance, interval_sentence, interval_text
from lithoflow.report.tracing import DASH, Op, Tracer, div, maximum, ref, sub, total
from lithoflow.report.wording import code, compare_sentence, names, table
from lithoflow.stats.intervals import interval_of

TITLE = "Expert vs data-driven groups"
SOURCE = "data_driven"  # the data-driven hierarchy's summary JSON
AGREEMENT = (SOURCE, "agreement_with_expert")


def majority_share(t: Tracer, run: str) -> Op | None:
    """The largest test class's share of the test rows: the accuracy of always guessing it."""
    source = f"metrics:{run}"
    rows = t.inputs.get(source, "per_class_recall", default=[])
    if not rows:
        return None
    supports = [ref(source, "per_class_recall", i, "support") for i in range(len(rows))]
    return div(maximum(*supports), total(*supports))


def _score(t: Tracer, run: str, metric: str) -> str:
    """ "mean [low, high]" (or the mean alone without an interval)."""
    source = f"metrics:{run}"
    if not t.inputs.has(source, metric):
        return DASH
    interval = interval_of(t.inputs.get(source), metric)
    mean = t.at(source, metric, fmt="percent")
    if interval is None or not interval.has_bounds:
        return f"{mean} (no interval)"
    return f"{mean} {interval_text(t, run, metric)}"


def _row(t: Tracer, run: str, mapping: str) -> list[str]:
    source = f"metrics:{run}"
    majority = majority_share(t, run)
    return [
        code(run),
        mapping,
        t.at(source, "n_classes", fmt="count"),
        t.at(source, "n_test_classes_present", fmt="count"),
        t.num(chance(run), "percent"),
        _score(t, run, "balanced_accuracy"),
        t.num(sub(ref(source, "balanced_accuracy"), chance(run)), "signed_points"),
        DASH if majority is None else t.num(majority, "percent"),
        _score(t, run, "accuracy"),
    ]


def _pair_lines(t: Tracer, expert: str, data: str) -> list[str]:
    header = ["run", "mapping", "groups", "groups in test", "chance (one over groups in test)"]
    header += ["balanced accuracy [interval]", "above chance (points)"]
    header += ["largest test group's share", "accuracy [interval]"]
    rows = [_row(t, expert, "expert"), _row(t, data, "data-driven")]
    model = t.inputs.get(f"metrics:{expert}", "model", default="")
    subject, other = code(data), code(expert)
    sentence = interval_sentence(t, subject, other, "balanced_accuracy", data, expert)
    if sentence is None:
        sentence = compare_sentence(
            t,
            subject,
            other,
            "balanced accuracy",
            ref(f"metrics:{data}", "balanced_accuracy"),
            ref(f"metrics:{expert}", "balanced_accuracy"),
        )
        sentence += " (no interval: a single fit per run)"
    lines = [
        f"The same {code(model)} recipe on the expert groups ({code(expert)}) and on the "
        f"data-driven groups ({code(data)}):",
        "",
        *table(header, rows),
        f"- {sentence}",
    ]
    unplaced = (f"metrics:{data}", "data_use", "rows_without_data_group")
    if t.inputs.get(*unplaced, "rows", default=0):
        test_rows = t.at(*unplaced, "rows_by_part", "test", fmt="count")
        group = t.inputs.get(*unplaced, "group", default="")
        labels = t.inputs.get(*unplaced, "labels", default=[])
        lines.append(
            f"- {t.at(*unplaced, 'rows', fmt='count')} rows of {code(data)} ({test_rows} of them "
            f"test rows) have labels the data-driven hierarchy could not place (no fitting row): "
            f"{names(labels)}. They stay, as the class {code(group)}; a class no training row "
            "holds has zero recall by construction, which the expert groups, defined without "
            "data, do not pay."
        )
    return [*lines, ""]


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    lines = [f"## {TITLE}", ""]
    if not t.inputs.has(SOURCE):
        return [*lines, "No data-driven hierarchy was built (hierarchy.data_driven).", ""]
    lines += [
        f"The data-driven hierarchy clusters the lithologies' centroids "
        f"({t.inputs.get(SOURCE, 'rows_used', default='')}) into "
        f"{t.at(*AGREEMENT, 'data_driven', 'n_groups', fmt='count')} groups; the expert mapping "
        f"has {t.at(*AGREEMENT, 'expert', 'n_groups', fmt='count')}. Adjusted Rand index "
        f"between the two mappings: {t.at(*AGREEMENT, 'ari_rows', fmt='decimal')} over rows "
        f"(each label weighted by its rows), {t.at(*AGREEMENT, 'ari_labels', fmt='decimal')} "
        "over labels (each counted once); zero is chance agreement, one identical groups.",
        "",
    ]
    pairs = plan.hierarchy_comparisons
    if not pairs:
        return [
            *lines,
            "No classifier pair is configured (report.hierarchy_comparisons).",
            "",
        ]
    given = [p for p in pairs if all(t.inputs.has(f"metrics:{r}") for r in p)]
    for expert, data in given:
        lines += _pair_lines(t, expert, data)
    if not given:
        lines += ["The configured pairs' results were not given.", ""]
    return [
        *lines,
        "Fewer, coarser groups are easier to predict: chance is one over the groups present in "
        "test for balanced accuracy and the largest test group's share for accuracy, and each "
        "mapping has its own. Read each score against its own chance level; a higher score on "
        "one mapping does not by itself make its groups better.",
        "",
    ]
