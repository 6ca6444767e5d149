"""Realism of simulated LILY data: quantiles, correlations, class shares, coverage and
predictability vs real."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from lithoflow.core.figure_style import FigureStyle

PASS_COLOUR = "#55A868"  # noqa: S105 (a colour, not a password)
FAIL_COLOUR = "#C44E52"
REAL_COLOUR = "0.55"
SIM_COLOUR = "#4C72B0"


def _checks(report: Mapping[str, Any], category: str) -> list[dict[str, Any]]:
    return [c for c in report["checks"] if c["category"] == category]


def _colour(check: Mapping[str, Any]) -> str:
    return PASS_COLOUR if check["pass"] else FAIL_COLOUR


def _quantile_panel(ax: plt.Axes, report: Mapping[str, Any]) -> None:
    """Q1-median-Q3 of each feature, real (grey) above simulated, relative to the real median."""
    medians = [c for c in _checks(report, "feature_quantiles") if c["name"].endswith("median")]
    for i, check in enumerate(medians):
        real = check["real_quantiles"]
        sim = check["simulated_quantiles"]
        scale = abs(real["median"]) or 1.0
        for offset, q, colour in ((0.18, real, REAL_COLOUR), (-0.18, sim, SIM_COLOUR)):
            lo, mid, hi = (q["q1"] / scale, q["median"] / scale, q["q3"] / scale)
            ax.plot([lo, hi], [i + offset, i + offset], color=colour, linewidth=6, alpha=0.8)
            ax.plot([mid], [i + offset], marker="|", color="black", markersize=12)
        ax.text(
            1.02,
            i,
            "ok" if check["pass"] else "off",
            transform=ax.get_yaxis_transform(),
            color=_colour(check),
            va="center",
            fontsize=9,
        )
    ax.set_yticks(range(len(medians)))
    ax.set_yticklabels([c["feature"] for c in medians])
    ax.set_xscale("log")
    ticks = [0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
    lo, hi = ax.get_xlim()
    shown = [t for t in ticks if lo <= t <= hi] or [1.0]
    ax.set_xticks(shown)
    ax.set_xticklabels([f"{t:g}" for t in shown])
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.axvline(1.0, color="0.3", linestyle=":", linewidth=1)
    ax.set_xlabel("value / real median (log scale); bar = Q1-Q3, tick = median")
    ax.set_title("(a) Feature quantiles: real (grey) vs simulated (blue)")
    ax.invert_yaxis()


def _correlation_panel(ax: plt.Axes, report: Mapping[str, Any]) -> None:
    """Simulated against real Pearson r of every feature pair, with the tolerance band."""
    checks = _checks(report, "correlations")
    tol = checks[0]["tolerance"] if checks else 0.15
    line = np.linspace(-1, 1, 3)
    ax.fill_between(line, line - tol, line + tol, color="0.9", label=f"±{tol:g}")
    ax.plot(line, line, color="0.4", linewidth=1)
    for check in checks:
        ax.scatter(check["real"], check["simulated"], color=_colour(check), s=30, zorder=3)
        ax.annotate(
            check["name"],
            (check["real"], check["simulated"]),
            xytext=(4, -3),
            textcoords="offset points",
            fontsize=7,
        )
    ax.set_xlim(-0.6, 1.05)
    ax.set_ylim(-0.6, 1.05)
    ax.set_xlabel("real r")
    ax.set_ylabel("simulated r")
    ax.legend(loc="upper left", fontsize=8)
    ax.set_title("(b) Pearson correlations of the binned features")


def _class_panel(ax: plt.Axes, report: Mapping[str, Any]) -> None:
    """Relative error of each large class's share, with the tolerance band."""
    checks = _checks(report, "class_proportions")
    if not checks:
        ax.set_axis_off()
        return
    tol = checks[0]["tolerance"]
    errors = [
        (c["simulated"] - c["real"]) / c["real"] if c["real"] else float("nan") for c in checks
    ]
    positions = np.arange(len(checks))
    ax.axvspan(-tol, tol, color="0.9")
    ax.barh(positions, errors, color=[_colour(c) for c in checks])
    ax.set_yticks(positions)
    ax.set_yticklabels([f"{c['name']} ({c['real_bins']:,})" for c in checks], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0.0, color="0.3", linewidth=1)
    limit = max(0.3, min(1.5, float(np.nanmax(np.abs(errors))) * 1.1))
    ax.set_xlim(-limit, limit)
    ax.set_xlabel("simulated share / real share - 1")
    note = "" if checks[0]["meaningful"] else " (not meaningful at this scale)"
    ax.set_title(f"(c) Classes with > 1,000 real bins{note}")


def _coverage_panel(ax: plt.Axes, report: Mapping[str, Any]) -> None:
    """Share of GRA bins that also have MS, NGR and RGB, and the row counts per table."""
    checks = _checks(report, "coverage")
    positions = np.arange(len(checks))
    ax.bar(positions - 0.2, [c["real"] for c in checks], width=0.4, color=REAL_COLOUR, label="real")
    ax.bar(
        positions + 0.2,
        [c["simulated"] for c in checks],
        width=0.4,
        color=[_colour(c) for c in checks],
        label="simulated",
    )
    ax.set_xticks(positions)
    ax.set_xticklabels([c["name"].replace(" coverage of GRA bins", "") for c in checks])
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("share of GRA 20-cm bins kept by the join")
    ax.legend(loc="lower left", fontsize=8)
    rows = report.get("counts", {}).get("rows", {})
    lines = [f"{t}: {n:,} raw rows" for t, n in rows.items() if n is not None]
    counts = report.get("counts", {})
    if "six_feature_bins" in counts:
        lines.append(
            f"six-feature bins: {counts['six_feature_bins']:,} in "
            f"{counts['six_feature_holes']} holes"
        )
    ax.text(0.98, 0.97, "\n".join(lines), transform=ax.transAxes, ha="right", va="top", fontsize=8)
    ax.set_title("(d) Coverage: MS, NGR, RGB of the GRA bins (cumulative join)")


def _predictability_panel(ax: plt.Axes, report: Mapping[str, Any], metric: str) -> None:
    """Simulated (bar) against real (grey band = real ± tolerance) predictability checks."""
    checks = [
        c
        for c in _checks(report, "predictability")
        if (c.get("metric") == "rmse") == (metric == "rmse")
    ]
    letter = "e" if metric == "r2" else "f"
    if not checks:
        ax.set_axis_off()
        ax.set_title(f"({letter}) Predictability: not computed")
        return
    positions = np.arange(len(checks))
    for i, check in enumerate(checks):
        lo, hi = check["real"] - check["tolerance"], check["real"] + check["tolerance"]
        ax.plot([lo, hi], [i, i], color=REAL_COLOUR, linewidth=10, alpha=0.5, solid_capstyle="butt")
        ax.plot([check["real"]], [i], marker="|", color="black", markersize=14)
    ax.scatter(
        [c["simulated"] for c in checks],
        positions,
        color=[_colour(c) for c in checks],
        s=60,
        zorder=3,
    )
    # Values shown beside the compared one: the linear fits' held-out R², the boosted colour
    # models' R² or RMSE pooled over folds of whole boreholes.
    held_out = [
        (i, value)
        for i, c in enumerate(checks)
        for key, value in c.items()
        if key == "held_out_r2" or (key.startswith("pooled_") and key.endswith(f"_fold_{metric}"))
    ]
    if held_out:
        ax.scatter(
            [v for _, v in held_out],
            [i for i, _ in held_out],
            facecolors="none",
            edgecolors="grey",
            s=60,
            zorder=2,
            label="linear: held-out boreholes; boosted: pooled borehole folds (not compared)",
        )
        ax.legend(loc="center left", fontsize=7)
    ax.set_yticks(positions)
    ax.set_yticklabels([c["name"] for c in checks], fontsize=8)
    ax.invert_yaxis()
    note = "" if checks[0]["meaningful"] else " (not meaningful at this scale)"
    if metric == "r2":
        lowest = min([c["simulated"] for c in checks] + [v for _, v in held_out])
        ax.set_xlim(min(-0.1, lowest - 0.05), 1.05)
        ax.set_xlabel(
            "R²: linear fitted to every bin, boosted on held-out boreholes (70/30 group split);"
            " grey = real ± tolerance"
        )
        ax.set_title(f"(e) Predictability of each feature from the others{note}")
    else:
        ax.set_xlim(
            0, max(60.0, max([c["simulated"] for c in checks] + [v for _, v in held_out]) * 1.1)
        )
        ax.set_xlabel("RMSE (0-255 units) on held-out boreholes; grey = real ± tolerance")
        ax.set_title(f"(f) Boosted colour from GRA, MS, NGR: RMSE{note}")


def plot_realism(report: Mapping[str, Any], style: FigureStyle) -> plt.Figure:
    """Six panels comparing the simulated data with the real LILY reference figures."""
    style.apply()
    fig, axes = plt.subplots(3, 2, figsize=(15, 16))
    _quantile_panel(axes[0, 0], report)
    _correlation_panel(axes[0, 1], report)
    _class_panel(axes[1, 0], report)
    _coverage_panel(axes[1, 1], report)
    _predictability_panel(axes[2, 0], report, "r2")
    _predictability_panel(axes[2, 1], report, "rmse")
    summary = report["summary"]
    fig.suptitle(
        f"Simulated vs real LILY (scale {report['scale']}): "
        f"{summary['meaningful_passed']}/{summary['meaningful_checks']} checks meaningful at this "
        f"scale pass, {summary['passed']}/{summary['checks']} overall "
        "(green = within tolerance, red = outside)",
        fontsize=12,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.975))
    return fig
