"""VAE reconstruction: errors per feature and scope, beside the investigation's."""

from __future__ import annotations

from lithoflow.report.plan import SummaryPlan
from lithoflow.report.sections.common import scopes_with_reports
from lithoflow.report.tracing import DASH, Tracer, ref
from lithoflow.report.wording import DECIMAL_WORDS, code, compare_sentence, reference_text, table

TITLE = "VAE reconstruction"

METRICS = ("mae", "rmse", "r2")


def _scope_table(t: Tracer, scope: str) -> list[str]:
    source = f"reconstruction:{scope}"
    rows = []
    for feature in t.inputs.get(source, "features"):
        cells = [
            t.at(source, space, "per_feature", feature, m, fmt="decimal")
            for space in ("scaled", "physical")
            for m in METRICS
        ]
        rows.append([code(feature), *cells])
    scaled_means = [t.at(source, "scaled", "average", m, fmt="decimal") for m in METRICS]
    physical_r2 = t.at(source, "physical", "average", "r2", fmt="decimal")
    rows.append(["mean", *scaled_means, DASH, DASH, physical_r2])
    header = ["feature", "MAE scaled", "RMSE scaled", "R² scaled"]
    header += ["MAE physical", "RMSE physical", "R² physical"]
    seen = t.num(ref(source, "fraction_rows_seen_in_vae_training"), "percent")
    return [
        f"### Scope {code(scope)}",
        "",
        f"Scope {code(scope)} ({t.inputs.get(source, 'scope_description')}): "
        f"{t.num(ref(source, 'n_rows'), 'count')} rows, {t.inputs.get(source, 'sample')}: "
        f"{seen} of them were VAE training rows. Decoding is deterministic (z = μ).",
        "",
        *table(header, rows),
        compare_sentence(
            t,
            f"The mean scaled R² on {code(scope)}",
            "the investigation's (all rows, in-sample)",
            "",
            ref(source, "scaled", "average", "r2"),
            ref("reference", "reconstruction", "scaled", "average", "r2", "log"),
            DECIMAL_WORDS,
        ),
        "",
    ]


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    lines = [f"## {TITLE}", ""]
    scopes = scopes_with_reports(t)
    if not scopes:
        return [*lines, "No reconstruction report was given.", ""]
    lines += [
        "Errors in **scaled units** (each feature transformed, then z-scored with the VAE's "
        "scaler; comparable across features) and in **physical units** (each feature's own "
        "input units, after the inverse transform). MAE and RMSE in physical units cannot be "
        "averaged across features; R² can.",
        "",
    ]
    for scope in scopes:
        lines += _scope_table(t, scope)
    if len(scopes) > 1:
        a, b = scopes[:2]
        sentence = compare_sentence(
            t,
            f"The mean scaled R² on {code(a)}",
            f"that on {code(b)}",
            "",
            ref(f"reconstruction:{a}", "scaled", "average", "r2"),
            ref(f"reconstruction:{b}", "scaled", "average", "r2"),
            DECIMAL_WORDS,
        )
        lines += [sentence, ""]
    base = ("reconstruction", "scaled")
    features = t.inputs.get("reference", *base, "per_feature", default={})
    rows = [
        [code(f), *(reference_text(t, (*base, "per_feature", f, m), "decimal") for m in METRICS),
         reference_text(t, ("reconstruction", "physical", "per_feature", f, "r2"), "decimal")]
        for f in features
    ]  # fmt: skip
    rows.append(
        ["mean", *(reference_text(t, (*base, "average", m), "decimal") for m in METRICS),
         reference_text(t, ("reconstruction", "physical", "average", "r2"), "decimal")]
    )  # fmt: skip
    return [
        *lines,
        "### The investigation's figures",
        "",
        "Measured on every row, the VAE's own training data (in-sample), in scaled units, "
        "although the investigation's table labels MAE and RMSE in physical units. R² in "
        "physical units was only measured later, for a VAE retrained on a filtered dataset.",
        "",
        *table(["feature", "MAE scaled", "RMSE scaled", "R² scaled", "R² physical (later)"], rows),
    ]
