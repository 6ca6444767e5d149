"""Key findings: the comparisons the config marks as findings, the reconstruction R² and the
hierarchy ARI."""

from __future__ import annotations

from lithoflow.report.plan import SummaryPlan, phrase
from lithoflow.report.sections.common import pair_sentence, runs_with_metrics, scopes_with_reports
from lithoflow.report.tracing import Tracer, ref
from lithoflow.report.wording import code, reference_text

TITLE = "Key findings"


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    lines = [f"## {TITLE}", ""]
    runs = set(runs_with_metrics(t))
    for pair in plan.comparisons:
        if pair.finding is None or not set(pair.runs) <= runs:
            continue
        subject, other = (
            phrase(words, code(run)) for words, run in zip(pair.finding, pair.runs, strict=True)
        )
        lines.append(f"- {pair_sentence(t, plan, pair, pair.metrics[0], subject, other)}")
    scopes = scopes_with_reports(t)
    if scopes:
        parts = []
        for scope in scopes:
            source = f"reconstruction:{scope}"
            scaled = t.num(ref(source, "scaled", "average", "r2"), "decimal")
            physical = t.num(ref(source, "physical", "average", "r2"), "decimal")
            sample = t.inputs.get(source, "sample")
            parts.append(f"{scaled} scaled and {physical} physical on {code(scope)} ({sample})")
        lines.append(
            f"- VAE reconstruction, mean R²: {'; '.join(parts)}. Investigation: "
            f"{reference_text(t, ('reconstruction', 'scaled', 'average', 'r2'), 'decimal')} "
            "scaled, on all rows (in-sample); "
            f"{reference_text(t, ('reconstruction', 'physical', 'average', 'r2'), 'decimal')} "
            "physical, for a later model."
        )
    if t.inputs.has("hierarchy"):
        lines.append(
            "- Expert groups against Ward clusters of the lithology centroids: ARI "
            f"{t.at('hierarchy', 'adjusted_rand_index', fmt='decimal')} "
            f"({t.inputs.get('hierarchy', 'verdict')}). Investigation: "
            f"{reference_text(t, ('hierarchy', 'adjusted_rand_index'), 'decimal')}."
        )
    if len(lines) == 2:
        lines.append("No classifier, reconstruction or hierarchy results were given.")
    return [*lines, ""]
