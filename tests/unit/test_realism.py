"""The realism report: structure, scale flags, check logic and the invariants at tiny scale."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import yaml

from lithoflow.core.dataset import Dataset
from lithoflow.core.figure_style import FigureStyle
from lithoflow.ingest.pipeline import IngestConfig, bin_table, merge_tables
from lithoflow.simulate import simulate_lily
from lithoflow.simulate.realism import (
    RealismTolerances,
    class_proportion_checks,
    load_reference,
    realism_report,
)
from lithoflow.simulate.realism_figure import plot_realism

REPO = Path(__file__).resolve().parents[2]
CATEGORIES = {"feature_quantiles", "correlations", "class_proportions", "coverage", "counts",
              "invariants"}  # fmt: skip


@pytest.fixture(scope="module")
def binned_tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, dict[str, Dataset]]:
    """The tiny simulation, binned and merged by the workflow's own ingestion."""
    out = tmp_path_factory.mktemp("raw")
    paths = simulate_lily(out, scale="tiny", seed=42)
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    ingest = IngestConfig.from_config(config)
    binned = {t: bin_table(paths[t], ingest, t, use_threads=False) for t in ingest.table_names}
    merged = merge_tables(list(binned.values()), ingest)
    datasets = {t: Dataset(b.frame, tuple(b.features)) for t, b in binned.items()}
    return Dataset(merged.frame, merged.features), datasets


@pytest.fixture(scope="module")
def tiny_report(binned_tiny: tuple[Dataset, dict[str, Dataset]]) -> dict:
    features, binned = binned_tiny
    return realism_report(features, binned, scale="tiny")


def test_report_structure(tiny_report: dict) -> None:
    assert tiny_report["scale"] == "tiny"
    assert {c["category"] for c in tiny_report["checks"]} == CATEGORIES
    for check in tiny_report["checks"]:
        assert {"category", "name", "simulated", "pass", "meaningful"} <= set(check)
        if check["category"] != "invariants":
            assert {"real", "tolerance", "tolerance_kind", "error"} <= set(check)
    summary = tiny_report["summary"]
    assert summary["checks"] == len(tiny_report["checks"])
    assert summary["passed"] == sum(c["pass"] for c in tiny_report["checks"])
    assert set(summary["by_category"]) == CATEGORIES
    assert tiny_report["features"] == ["GRA", "MS", "NGR", "R", "G", "B"]
    assert set(tiny_report["counts"]["rows"]) == {"GRA", "MS", "NGR", "RGB"}
    assert tiny_report["joins"]["GRA"] >= tiny_report["joins"]["GRA+MS+NGR+RGB"] > 0


def test_only_invariants_are_meaningful_at_tiny_scale(tiny_report: dict) -> None:
    for check in tiny_report["checks"]:
        assert check["meaningful"] == (check["category"] == "invariants"), check["name"]


def test_invariants_hold_at_any_scale(tiny_report: dict) -> None:
    invariants = [c for c in tiny_report["checks"] if c["category"] == "invariants"]
    names = {c["name"] for c in invariants}
    spacing = {f"{t} rows per 20-cm bin (spacing)" for t in ("GRA", "NGR", "RGB")}
    assert {"mean R >= mean G > mean B", "NGR >= -1 cps", *spacing} <= names
    failed = [c["name"] for c in invariants if not c["pass"]]
    assert not failed
    assert tiny_report["summary"]["all_meaningful_passed"]


def test_meaningful_flags_follow_the_scale(binned_tiny: tuple[Dataset, dict[str, Dataset]]) -> None:
    features, binned = binned_tiny
    full = realism_report(features, binned, scale="full")
    assert all(c["meaningful"] for c in full["checks"])
    # Tiny data cannot match the full-scale class counts: the report says so honestly.
    assert not full["summary"]["all_meaningful_passed"]
    assert any(n.endswith("raw rows") for n in full["summary"]["meaningful_failed"])


def test_class_checks_pass_on_real_proportions_and_fail_when_skewed() -> None:
    reference = load_reference()
    counts = reference["class_bins"]
    labels = pd.Series(np.repeat(list(counts), list(counts.values())))
    tol = RealismTolerances()
    checks = class_proportion_checks(labels, reference, tol, meaningful=True)
    assert len(checks) == sum(v > 1000 for v in counts.values())
    assert all(c["pass"] for c in checks)
    skewed = pd.concat([labels, pd.Series(["clay"] * 20000)])
    failed = {c["name"] for c in class_proportion_checks(skewed, reference, tol, True)
              if not c["pass"]}  # fmt: skip
    assert "clay" in failed


def test_quantile_check_uses_feature_tolerances(binned_tiny) -> None:
    features, binned = binned_tiny
    reference = load_reference()
    real = reference["six_feature_binned"]["features"]
    frame = features.frame.copy()
    report = realism_report(Dataset(frame, features.features), binned, scale="full")
    median_ms = next(c for c in report["checks"] if c["name"] == "MS median")
    assert median_ms["tolerance"] == 0.25
    assert median_ms["real"] == real["MS"]["median"]
    assert next(c for c in report["checks"] if c["name"] == "GRA IQR")["tolerance"] == 0.10


def test_figure_draws_four_panels(tiny_report: dict) -> None:
    figure = plot_realism(tiny_report, FigureStyle())
    try:
        assert len(figure.axes) == 4
        assert "scale tiny" in figure._suptitle.get_text()
    finally:
        plt.close(figure)
