"""Latent utilisation: mean, spread and activity of each μ dimension."""

from __future__ import annotations

from lithoflow.report.plan import SummaryPlan
from lithoflow.report.sections.common import scopes_with_reports
from lithoflow.report.tracing import DASH, Tracer
from lithoflow.report.wording import code, reference_text, table

TITLE = "Latent utilisation"


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    lines = [f"## {TITLE}", ""]
    scopes = scopes_with_reports(t)
    if not scopes:
        return [*lines, "No reconstruction report was given.", ""]
    first = f"reconstruction:{scopes[0]}"
    active = "; ".join(
        f"{code(s)}: {t.at(f'reconstruction:{s}', 'latent', 'n_active', fmt='count')} of "
        f"{t.at(f'reconstruction:{s}', 'latent', 'n_dimensions', fmt='count')}"
        for s in scopes
    )
    investigation = (
        f"{reference_text(t, ('reconstruction', 'latent', 'n_active'), 'count')} of "
        f"{reference_text(t, ('reconstruction', 'latent', 'n_dimensions'), 'count')}"
    )
    rows = []
    for i in range(len(t.inputs.get(first, "latent", "dimensions"))):
        row = [t.at(first, "latent", "dimensions", i, "dimension", fmt="count")]
        for scope in scopes:
            base = (f"reconstruction:{scope}", "latent", "dimensions", i)
            flag = t.inputs.get(*base, "active", default=None)
            row += [t.at(*base, "mean", fmt="decimal"), t.at(*base, "std", fmt="decimal"),
                    DASH if flag is None else ("yes" if flag else "no")]  # fmt: skip
        row += [reference_text(t, ("reconstruction", "latent", key, i), "decimal")
                for key in ("mean", "std")]  # fmt: skip
        rows.append(row)
    header = ["dimension"]
    for scope in scopes:
        header += [f"mean {code(scope)}", f"std {code(scope)}", f"active {code(scope)}"]
    header += ["investigation mean", "investigation std"]
    threshold = t.at(first, "latent", "active_std_threshold", fmt="decimal")
    return [
        *lines,
        "Mean and standard deviation of each μ dimension; a dimension is active when its "
        f"standard deviation exceeds {threshold}. Active dimensions: {active}. Investigation "
        f"(all rows): {investigation}.",
        "",
        *table(header, rows),
    ]
