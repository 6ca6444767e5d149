"""The realism report: structure, scale flags, check logic and the invariants at tiny scale."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import yaml

from lithoflow.core.dataset import Dataset
from lithoflow.ingest.merge import merge_tables
from lithoflow.ingest.tables import bin_table
from lithoflow.simulate.lily import simulate_lily
from lithoflow.simulate.realism import (
    PredictabilitySettings,
    RealismTolerances,
    boosted_colour_predictability,
    class_proportion_checks,
    group_split,
    linear_predictability,
    load_reference,
    pooled_colour_predictability,
    predictability_checks,
    realism_report,
)
from lithoflow.simulate.realism_figure import plot_realism
from tests.support.config import figure_style, ingest_config

REPO = Path(__file__).resolve().parents[2]
CATEGORIES = {"feature_quantiles", "correlations", "class_proportions", "coverage", "counts",
              "invariants", "predictability"}  # fmt: skip


@pytest.fixture(scope="module")
def binned_tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, dict[str, Dataset]]:
    """The tiny simulation, binned and merged by the workflow's own ingestion."""
    out = tmp_path_factory.mktemp("raw")
    paths = simulate_lily(out, scale="tiny", seed=42)
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    ingest = ingest_config(config)
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


def test_figure_draws_six_panels(tiny_report: dict) -> None:
    figure = plot_realism(tiny_report, figure_style())
    try:
        assert len(figure.axes) == 6
        assert "scale tiny" in figure._suptitle.get_text()
    finally:
        plt.close(figure)


def _synthetic_bins(n_holes: int = 40, per_hole: int = 200, seed: int = 0) -> pd.DataFrame:
    """Bins where GRA is an exact linear function of MS and NGR, R/G/B a function of GRA-MS-NGR
    (through a step), and MS, NGR independent noise."""
    rng = np.random.default_rng(seed)
    n = n_holes * per_hole
    ms = rng.normal(0.0, 1.0, n)
    ngr = rng.normal(0.0, 1.0, n)
    red = np.where(ngr > 0, 40.0, 120.0) + 10.0 * np.sin(3 * ms)
    return pd.DataFrame(
        {
            "borehole_id": np.repeat([f"H{i:03d}" for i in range(n_holes)], per_hole),
            "GRA": 1.7 + 0.2 * ms - 0.1 * ngr,
            "MS": ms,
            "NGR": ngr,
            "R": red,
            "G": red * 0.98,
            "B": red * 0.85,
        }
    )


def test_group_split_keeps_boreholes_whole_and_is_seeded() -> None:
    groups = np.repeat(np.arange(20), 10)
    train, test = group_split(groups, 0.3, seed=7)
    assert not set(groups[train]) & set(groups[test])
    assert len(set(groups[test])) == 6
    again = group_split(groups, 0.3, seed=7)
    assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])


def test_linear_predictability_knows_an_exact_linear_feature() -> None:
    frame = _synthetic_bins()
    train, test = group_split(frame["borehole_id"].to_numpy(), 0.3, seed=1)
    # X (untransformed) is an exact linear function of GRA and Y: R² = 1 both ways.
    rng = np.random.default_rng(5)
    frame["Y"] = rng.normal(0.0, 1.0, len(frame))
    frame["X"] = 3.0 * frame["GRA"] - 2.0 * frame["Y"] + 1.0
    r2 = linear_predictability(frame, ("GRA", "X", "Y"), train, test)
    assert r2["X"] == pytest.approx(1.0, abs=1e-9)
    assert r2["GRA"] == pytest.approx(1.0, abs=1e-9)
    # Pure noise is not predictable: held-out R² near zero.
    frame["X"] = rng.normal(0.0, 1.0, len(frame))
    r2 = linear_predictability(frame, ("GRA", "X", "Y"), train, test)
    assert abs(r2["X"]) < 0.02


def test_boosted_colour_predictability_recovers_a_function_and_not_noise() -> None:
    frame = _synthetic_bins()
    train, test = group_split(frame["borehole_id"].to_numpy(), 0.3, seed=1)
    settings = PredictabilitySettings(seed=1, boosting_iterations=60)
    known = boosted_colour_predictability(frame, train, test, settings)
    assert known["R"]["r2"] > 0.95
    assert known["R"]["rmse"] < 5.0
    noise = frame.assign(R=np.random.default_rng(3).normal(60.0, 20.0, len(frame)))
    unknown = boosted_colour_predictability(noise, train, test, settings)
    assert unknown["R"]["r2"] < 0.05
    assert abs(unknown["R"]["rmse"] - 20.0) < 2.0


def test_pooled_colour_predictability_holds_out_every_borehole_once() -> None:
    frame = _synthetic_bins()
    settings = PredictabilitySettings(seed=1, boosting_iterations=60)
    pooled = pooled_colour_predictability(frame, settings)
    assert pooled is not None
    assert len(pooled["R"]["fold_r2"]) == settings.colour_folds
    assert pooled["R"]["r2"] > 0.95 and min(pooled["R"]["fold_r2"]) > 0.9
    noise = frame.assign(R=np.random.default_rng(3).normal(60.0, 20.0, len(frame)))
    unknown = pooled_colour_predictability(noise, settings)
    assert unknown is not None and unknown["R"]["r2"] < 0.05
    assert abs(unknown["R"]["rmse"] - 20.0) < 2.0
    # fewer boreholes than two per fold: not computed
    assert pooled_colour_predictability(_synthetic_bins(n_holes=9), settings) is None


def test_predictability_checks_carry_sources_and_tolerances() -> None:
    frame = _synthetic_bins()
    reference = load_reference()
    tol = RealismTolerances()
    settings = PredictabilitySettings(seed=1, boosting_iterations=30)
    checks = predictability_checks(frame, ("GRA", "MS", "NGR", "R", "G", "B"), reference, tol,
                                   True, settings)  # fmt: skip
    assert len(checks) == 12
    linear = [c for c in checks if c["name"].startswith("linear")]
    assert {c["real"] for c in linear} == {0.18, 0.25, 0.41, 0.99}
    assert all(c["tolerance"] == 0.10 and "§3.3" in c["source"] for c in linear)
    rmse = [c for c in checks if c.get("metric") == "rmse"]
    assert all(c["real"] == 23.0 and c["tolerance"] == 5.0 for c in rmse)
    assert all("pooled_5_fold_rmse" in c for c in rmse)
    r2 = [c for c in checks if c.get("metric") == "r2"]
    assert all("pooled_5_fold_r2" in c and len(c["fold_r2"]) == 5 for c in r2)
    # The checked value is the fit to every row (the real Lasso's protocol); the held-out R² is
    # given beside it, never above it by much: least squares maximises the in-sample fit.
    assert all(c["simulated"] >= c["held_out_r2"] - 0.05 for c in linear)
    assert all("every bin" in c["protocol"] for c in linear)
    every_row = np.arange(len(frame))
    in_sample = linear_predictability(frame, ("GRA", "MS", "NGR", "R", "G", "B"), every_row,
                                      every_row)  # fmt: skip
    assert all(c["simulated"] == in_sample[c["feature"]] for c in linear)
    # MS and NGR are independent noise here: far below the real 0.25 / 0.41.
    failed = {c["name"] for c in checks if not c["pass"]}
    assert "linear R² of MS from the other features" in failed
