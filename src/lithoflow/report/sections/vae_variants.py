"""VAE variants: does any change to the VAE close the gap between its embedding classifier and
the classifier on raw features? (results/validation/vae_comparison.csv, validation.vae_comparison)

Each VAE's classifier interval is compared with the direct run's (validation.vae_comparison.
direct_run) and with that of validation.vae's own classifier, by `lithoflow.stats.intervals.
compare`: only intervals that do not overlap tell two runs apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from lithoflow.report.plan import SummaryPlan
from lithoflow.report.tracing import DASH, Tracer
from lithoflow.report.wording import code, names, table
from lithoflow.stats.intervals import HIGHER, LOWER, NO_DIFFERENCE, Interval, compare, interval_of

TITLE = "VAE variants"
SOURCE = "vae_comparison"


def _row_interval(row: Mapping[str, Any]) -> Interval:
    def number(key: str) -> float:
        value = row.get(key)
        return math.nan if value is None else float(value)

    n = row.get("balanced_accuracy_n")
    n = 0 if n is None or (isinstance(n, float) and math.isnan(n)) else int(n)
    return Interval(
        number("balanced_accuracy_mean"),
        math.nan,
        number("balanced_accuracy_low"),
        number("balanced_accuracy_high"),
        n,
        "t",
    )


def _has_run(row: Mapping[str, Any]) -> bool:
    run = row.get("classifier_run")
    return isinstance(run, str) and bool(run)


def _score(t: Tracer, i: int) -> str:
    """ "mean [low, high]" of row i's classifier, or a dash without a run."""
    row = t.inputs.get(SOURCE, i)
    if not _has_run(row):
        return DASH
    mean = t.at(SOURCE, i, "balanced_accuracy_mean", fmt="percent")
    if not _row_interval(row).has_bounds:
        return f"{mean} (no interval)"
    low = t.at(SOURCE, i, "balanced_accuracy_low", fmt="percent")
    high = t.at(SOURCE, i, "balanced_accuracy_high", fmt="percent")
    return f"{mean} [{low}, {high}]"


def _direct_text(t: Tracer, direct: str) -> str:
    source = f"metrics:{direct}"
    mean = t.at(source, "balanced_accuracy", fmt="percent")
    if not t.inputs.has(source, "intervals", "balanced_accuracy", "low"):
        return mean
    low = t.at(source, "intervals", "balanced_accuracy", "low", fmt="percent")
    high = t.at(source, "intervals", "balanced_accuracy", "high", fmt="percent")
    return f"{mean} [{low}, {high}]"


def _verdicts(rows: list[Mapping[str, Any]], reference: Interval) -> dict[str, str]:
    return {
        str(row["vae"]): compare(_row_interval(row), reference) for row in rows if _has_run(row)
    }


def section(t: Tracer, plan: SummaryPlan) -> list[str]:
    lines = [f"## {TITLE}", ""]
    if not t.inputs.has(SOURCE):
        return [*lines, "No VAE comparison was given.", ""]
    rows: list[Mapping[str, Any]] = list(t.inputs.get(SOURCE))
    config = t.inputs.config
    settings = config["validation"]["vae_comparison"]
    target = settings["classifier_target"]
    body = []
    for i, row in enumerate(rows):
        body.append(
            [
                code(row["vae"]),
                str(row["kind"]),
                t.at(SOURCE, i, "latent_dim", fmt="count"),
                t.at(SOURCE, i, "beta_end", fmt="plain"),
                t.at(SOURCE, i, "recon_r2_physical_test", fmt="decimal"),
                t.at(SOURCE, i, "active_latent_dims_test", fmt="count"),
                t.at(SOURCE, i, "ari_expert_groups", fmt="decimal"),
                code(row["classifier_run"]) if _has_run(row) else DASH,
                _score(t, i),
            ]
        )
    header = ["VAE", "kind", "latent", "β end", "R² physical (test)", "active dims (test)",
              "ARI", "classifier", "balanced accuracy [interval]"]  # fmt: skip
    lines += [
        "Every VAE of `vae.models`: its held-out reconstruction (mean per-feature R² on its "
        "split's test boreholes, physical units), active latent dimensions on those rows, the "
        "ARI of its lithology centroids' clusters against the expert groups, and the balanced "
        f"accuracy of the first classifier run on its μ with target {code(target)}.",
        "",
        *table(header, body),
    ]
    baseline_vae = config["validation"]["vae"]
    baseline = next((r for r in rows if r["vae"] == baseline_vae and _has_run(r)), None)
    direct = settings.get("direct_run")
    if direct is None or not t.inputs.has(f"metrics:{direct}"):
        return [*lines, "No raw-feature run is configured to compare with "
                "(validation.vae_comparison.direct_run).", ""]  # fmt: skip
    direct_interval = interval_of(t.inputs.get(f"metrics:{direct}"), "balanced_accuracy")
    if direct_interval is None:
        return [*lines, f"{code(direct)} reports no balanced accuracy.", ""]
    against_direct = _verdicts(rows, direct_interval)
    sweep = [r for r in rows if r["vae"] != baseline_vae and _has_run(r)]
    text = f"The raw-feature run {code(direct)} scores {_direct_text(t, direct)}."
    if baseline is not None:
        i = rows.index(baseline)
        gap = against_direct[baseline_vae]
        text += (
            f" The classifier on {code(baseline_vae)} ({code(baseline['classifier_run'])}) "
            f"scores {_score(t, i)}: "
            + (
                "below the direct run, with intervals that do not overlap."
                if gap == LOWER
                else f"{gap} from the direct run."
                if gap == NO_DIFFERENCE
                else "above the direct run."
            )
        )
        against_baseline = _verdicts(sweep, _row_interval(baseline))
    else:
        gap, against_baseline = None, {}
    lines += [text, ""]
    if not sweep:
        return [*lines, "No other VAE has a classifier run to compare.", ""]
    closing = [str(r["vae"]) for r in sweep if against_direct[str(r["vae"])] != LOWER]
    better = [v for v, verdict in against_baseline.items() if verdict == HIGHER]
    worse = [v for v, verdict in against_baseline.items() if verdict == LOWER]
    same = [v for v, verdict in against_baseline.items() if verdict == NO_DIFFERENCE]
    if gap is not None and gap != LOWER:
        answer = (
            f"There is no distinguishable gap to close: {code(baseline_vae)}'s classifier and "
            f"{code(direct)} already overlap."
        )
    elif closing:
        answer = (
            f"VAE changes whose classifier reaches the direct run (no distinguishable "
            f"difference from {code(direct)}, or above it): {names(closing)}."
        )
    else:
        answer = (
            f"No VAE change closes the gap: every variant's classifier interval lies below "
            f"{code(direct)}'s."
        )
    if baseline is not None:
        answer += (
            f" Against {code(baseline_vae)}'s classifier: higher for {names(better)}, lower "
            f"for {names(worse)}, no distinguishable difference for {names(same)}."
        )
    return [*lines, answer, ""]
