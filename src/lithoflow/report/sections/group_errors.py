"""Reconstruction error by group, rated in bands."""

from __future__ import annotations

from lithoflow.report.plan import SummaryPlan
from lithoflow.report.sections.common import reference_only_rows, scopes_with_reports
from lithoflow.report.tracing import Tracer
from lithoflow.report.wording import code, reference_text, table

TITLE = "Reconstruction error by group"


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    lines = [f"## {TITLE}", ""]
    scopes = scopes_with_reports(t)
    if not scopes:
        return [*lines, "No reconstruction report was given.", ""]
    bands = (f"reconstruction:{scopes[0]}", "groups", "bands")
    summary_band = ("reconstruction", "bands", "summary_poor_above")
    lines += [
        "Mean over features of the per-feature MAE (scaled units) within each group: excellent "
        f"below {t.at(*bands, 'excellent_below', fmt='decimal')}, good below "
        f"{t.at(*bands, 'good_below', fmt='decimal')}, poor otherwise, as the investigation's "
        "script rates it (its Summary describes poor as above "
        f"{reference_text(t, summary_band, 'decimal')}).",
        "",
    ]
    for scope in scopes:
        base = (f"reconstruction:{scope}", "groups", "per_group")
        rows = [
            [code(item["group"]), t.at(*base, i, "n_rows", fmt="count"),
             t.at(*base, i, "mae_scaled", fmt="decimal"), str(item["quality"]),
             reference_text(t, ("reconstruction", "groups", item["group"], "n_rows"), "count"),
             reference_text(t, ("reconstruction", "groups", item["group"], "mae"), "decimal")]
            for i, item in enumerate(t.inputs.get(*base, default=[]))
        ]  # fmt: skip
        rows += reference_only_rows(
            t, [item["group"] for item in t.inputs.get(*base, default=[])],
            ("reconstruction", "groups"), (("n_rows", "count"), ("mae", "decimal")), 3,
        )  # fmt: skip
        header = ["group", "rows", "MAE scaled", "quality"]
        header += ["investigation rows (all)", "investigation MAE (all)"]
        lines += [f"Scope {code(scope)}:", "", *table(header, rows)]
    return lines
