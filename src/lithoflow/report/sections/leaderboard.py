"""Leaderboard: every classifier run with its 95 % intervals, ranked within its target, and which
differences the intervals can tell apart."""

from __future__ import annotations

from lithoflow.report.leaderboard import leaderboard_frame
from lithoflow.report.plan import SummaryPlan
from lithoflow.report.sections.common import runs_with_metrics, spec
from lithoflow.report.tracing import DASH, Tracer
from lithoflow.report.wording import code, table
from lithoflow.stats.intervals import interval_of

TITLE = "Leaderboard"
SHOWN = (("balanced_accuracy", "balanced accuracy"), ("accuracy", "accuracy"),
         ("macro_f1", "macro F-score"), ("penalty_score", "penalty score"))  # fmt: skip


def _cell(t: Tracer, run: str, metric: str) -> str:
    """ "mean [low, high]", or the mean alone without an interval, or a dash."""
    source = f"metrics:{run}"
    if not t.inputs.has(source, metric):
        return DASH
    fmt = "decimal" if metric == "penalty_score" else "percent"
    mean = t.at(source, metric, fmt=fmt)
    interval = interval_of(t.inputs.get(source), metric)
    if interval is None or not interval.has_bounds:
        return f"{mean} (no interval)"
    low = t.at(source, "intervals", metric, "low", fmt=fmt)
    high = t.at(source, "intervals", metric, "high", fmt=fmt)
    return f"{mean} [{low}, {high}]"


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    lines = [f"## {TITLE}", ""]
    runs = runs_with_metrics(t)
    if not runs:
        return [*lines, "No classifier results were given.", ""]
    lines += [
        "Each score is the mean over the run's units (replicate seeds, or folds of whole "
        "boreholes) with its interval in brackets (Student t, at the confidence in the run's "
        "metrics.json); a run with one unit has no interval. Runs are listed best first by "
        "balanced accuracy within their target (lithology and group runs have different classes "
        "and chance levels) and the boreholes they are scored on (a split's test boreholes, or "
        "out of fold): runs scored on different boreholes are not ranked against each other.",
        "",
    ]
    shown = [(m, title) for m, title in SHOWN if any(t.inputs.has(f"metrics:{r}", m) for r in runs)]

    # The ranking, groups and verdicts are the leaderboard's own (leaderboard.csv says the same).
    board = leaderboard_frame({run: t.inputs.get(f"metrics:{run}") for run in runs})
    for (target, rows_from), group in board.groupby(["target", "scored_on"], sort=True):
        ranked = group.sort_values("rank")["run"].tolist()
        distinct = dict(zip(group["run"], group["distinguishable_from_best"], strict=True))
        rows = []
        for run in ranked:
            document = t.inputs.get(f"metrics:{run}")
            run_spec = spec(t, run)
            inputs = run_spec["input"]
            if run_spec.get("context"):
                inputs += f" + {run_spec['context']}"
            rows.append(
                [
                    code(run),
                    run_spec["model"],
                    inputs,
                    document.get("evaluation", "split"),
                    t.at(f"metrics:{run}", "n_units", fmt="count"),
                    *(_cell(t, run, metric) for metric, _ in shown),
                ]
            )
        header = ["run", "model", "inputs", "evaluation", "units", *(n for _, n in shown)]
        lines += [f"Target `{target}`, scored on the {rows_from}:", "", *table(header, rows)]
        best = ranked[0]
        separate = [code(r) for r in ranked[1:] if distinct[r] == "yes"]
        overlapping = [code(r) for r in ranked[1:] if distinct[r] != "yes"]
        if len(ranked) > 1:
            sentence = f"Best {target} run on the {rows_from} by balanced accuracy: {code(best)}."
            if separate:
                sentence += f" Its interval lies above those of {', '.join(separate)}."
            if overlapping:
                sentence += (
                    f" No distinguishable difference from {', '.join(overlapping)} (the intervals "
                    "overlap, or a run has a single unit)."
                )
            lines += [sentence, ""]
    return lines
