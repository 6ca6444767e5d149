"""What this run can and cannot tell."""

from __future__ import annotations

from lithoflow.report.plan import SummaryPlan
from lithoflow.report.sections.common import chance, runs_with_metrics, scopes_with_reports, spec
from lithoflow.report.tracing import Tracer, ref
from lithoflow.report.wording import code, names

TITLE = "What this run can and cannot tell"


def _test_class_limits(t: Tracer, run: str) -> list[str]:
    """What the run's balanced accuracy averages over, and test classes unseen in training."""
    source = f"metrics:{run}"
    recalls = t.inputs.get(source, "per_class_recall", default=[])
    present = [row["class"] for row in recalls]
    lines = []
    if spec(t, run)["target"] == "group" and recalls:
        weight = t.num(chance(run), "percent")
        last = len(recalls) - 1
        absent = t.inputs.get(source, "classes_absent_from_test", default=[])
        lines.append(
            f"- {code(run)}: balanced accuracy averages recall over the "
            f"{t.at(source, 'n_test_classes_present', fmt='count')} classes present in its test "
            f"part ({names(present)}), each weighing {weight}; those absent from test "
            f"({names(absent)}) do not count. The smallest, {code(recalls[last]['class'])}, has "
            f"{t.at(source, 'per_class_recall', last, 'support', fmt='count')} test rows and "
            "weighs as much as the largest."
        )
    unseen = [c for c in t.inputs.get(source, "classes_absent_from_train", default=[])
              if c in present]  # fmt: skip
    if unseen:
        lines.append(
            f"- {code(run)} never saw these test classes in training, so their recall is zero by "
            f"construction: {names(unseen)}."
        )
    if t.inputs.get(source, "leakage", "test_boreholes_seen_by_vae", default=0):
        lines.append(
            f"- {code(run)} is transductive: its VAE trained on "
            f"{t.at(source, 'leakage', 'test_boreholes_seen_by_vae', fmt='count')} of its "
            f"{t.at(source, 'leakage', 'test_boreholes', fmt='count')} test boreholes."
        )
    return lines


def _uncertainty_line(t: Tracer) -> str:
    """What the intervals of this run's classifiers measure, and which runs have none."""
    runs = runs_with_metrics(t)
    folds = [r for r in runs if spec(t, r).get("evaluation") == "group_kfold"]
    seeds = [
        r
        for r in runs
        if r not in folds and int(t.inputs.get(f"metrics:{r}", "n_units", default=1)) > 1
    ]
    single = [r for r in runs if r not in folds and r not in seeds]
    split_seed = t.num(ref("config", "splits", "seed"), "plain")
    if not folds and not seeds:
        return (
            f"- One split per method and one seed (split seed {split_seed}, classifier seed "
            f"{t.num(ref('config', 'classifiers', 'defaults', 'seed'), 'plain')}): there are no "
            "confidence intervals, so differences of a few points between runs may be noise."
        )
    parts = []
    if seeds:
        parts.append(
            f"the intervals of {names(seeds)} come from replicates (seeds derived from each run's "
            "seed) on that split: they measure how much a score moves with the seed, not how much "
            "it would move on other boreholes"
        )
    bootstrapped = [r for r in runs if t.inputs.has(f"metrics:{r}", "bootstrap")]
    if bootstrapped and bootstrapped == seeds:
        parts.append("the borehole bootstrap in their `metrics.json` resamples the test boreholes")
    elif bootstrapped:
        parts.append(
            "the borehole bootstrap in the `metrics.json` of "
            f"{names(bootstrapped)} resamples their test boreholes"
        )
    if folds:
        parts.append(
            f"{names(folds)} {'is' if len(folds) == 1 else 'are'} cross-validated over folds "
            "of whole boreholes, which shows the spread between splits"
        )
    if single:
        parts.append(f"{names(single)} {'has' if len(single) == 1 else 'have'} no interval")
    return f"- One split per method (split seed {split_seed}): " + "; ".join(parts) + "."


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    lines = [f"## {TITLE}", ""]
    if t.inputs.config["data"]["source"] == "simulate":
        lines.append(
            "- The data are simulated: the run shows what the workflow computes and how, not what "
            "the real LILY data hold."
        )
    for run in runs_with_metrics(t):
        lines += _test_class_limits(t, run)
    lines.append(_uncertainty_line(t))
    for scope in scopes_with_reports(t):
        source = f"reconstruction:{scope}"
        lines.append(
            f"- Reconstruction scope {code(scope)} is {t.inputs.get(source, 'sample')}: "
            f"{t.num(ref(source, 'fraction_rows_seen_in_vae_training'), 'percent')} of its rows "
            "were VAE training rows."
        )
    if t.inputs.has("hierarchy", "rows_used"):
        lines.append(
            f"- The hierarchy validation uses {t.inputs.get('hierarchy', 'rows_used')}; each "
            "lithology counts once in the adjusted Rand index, whatever its number of rows."
        )
    lines.append(
        "- The investigation's own comparisons share these limits: one split, one implicit seed, "
        "a VAE and scaler fitted on every row (test boreholes included), and balanced accuracies "
        "over the groups present in its test split only."
    )
    return [*lines, ""]
