"""Reconstruction metrics in both spaces on a known case, latent use, group bands, scopes."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lithoflow.core.errors import ConfigError, InputDataError
from lithoflow.validation.reconstruction import (
    SCOPES,
    ReconstructionConfig,
    VaeTrainingRows,
    align_embeddings,
    feature_metrics,
    group_errors,
    latent_utilisation,
    quality_band,
    reconstruct,
    row_errors,
    sample_status,
    scope_mask,
    scope_report,
)

CONFIG = ReconstructionConfig(
    active_latent_std=0.1, excellent_below=0.15, good_below=0.25, scopes=SCOPES
)

# An affine scaler: scaled = (physical - 10) / 2 for feature "a", (physical - 0) / 4 for "b".
SHIFT = np.array([10.0, 0.0])
SCALE = np.array([2.0, 4.0])


def transform(x):
    return (np.asarray(x) - SHIFT) / SCALE


def inverse_transform(z):
    return np.asarray(z) * SCALE + SHIFT


def known_case():
    """Four rows, 2 features; the decoder adds fixed residuals in scaled space."""
    true_scaled = np.array([[0.0, 1.0], [1.0, -1.0], [2.0, 0.0], [-1.0, 2.0]])
    residual = np.array([[0.5, 0.0], [-0.5, 1.0], [0.0, -1.0], [1.0, 0.0]])
    true_physical = inverse_transform(true_scaled)
    mu = np.array([[0.0, 5.0], [0.0, 5.0], [1.0, 5.0], [1.0, 5.0]])

    def decode(mu_batch):  # a stand-in decoder with known residuals
        assert mu_batch.shape == mu.shape
        return true_scaled + residual

    rec = reconstruct(mu, true_physical, ["a", "b"], decode, transform, inverse_transform)
    return rec, mu, true_scaled, residual


def test_reconstruct_expresses_both_spaces():
    rec, _, true_scaled, residual = known_case()
    np.testing.assert_allclose(rec.true_scaled, true_scaled)
    np.testing.assert_allclose(rec.pred_scaled, true_scaled + residual)
    np.testing.assert_allclose(rec.pred_physical - rec.true_physical, residual * SCALE)


def test_metrics_hand_computed_in_both_spaces():
    rec, _, _, _ = known_case()
    scaled = feature_metrics(rec.true_scaled, rec.pred_scaled, rec.features).set_index("feature")
    # Feature a: residuals 0.5, -0.5, 0, 1 -> MAE 0.5, RMSE sqrt(1.5/4); truth 0, 1, 2, -1
    # (mean 0.5, SS_tot 5) -> R² = 1 - 1.5/5 = 0.7.
    assert scaled.loc["a", "mae"] == pytest.approx(0.5)
    assert scaled.loc["a", "rmse"] == pytest.approx(math.sqrt(1.5 / 4))
    assert scaled.loc["a", "r2"] == pytest.approx(0.7)
    # Feature b: residuals 0, 1, -1, 0 -> MAE 0.5, RMSE sqrt(0.5); truth 1, -1, 0, 2
    # (mean 0.5, SS_tot 5) -> R² = 1 - 2/5 = 0.6.
    assert scaled.loc["b", "mae"] == pytest.approx(0.5)
    assert scaled.loc["b", "rmse"] == pytest.approx(math.sqrt(0.5))
    assert scaled.loc["b", "r2"] == pytest.approx(0.6)

    physical = feature_metrics(rec.true_physical, rec.pred_physical, rec.features)
    physical = physical.set_index("feature")
    # An affine scaler multiplies MAE and RMSE by the feature's scale and leaves R² unchanged.
    assert physical.loc["a", "mae"] == pytest.approx(0.5 * 2)
    assert physical.loc["b", "rmse"] == pytest.approx(math.sqrt(0.5) * 4)
    assert physical["r2"].tolist() == pytest.approx([0.7, 0.6])


def test_r2_is_nan_for_constant_truth_and_one_for_perfect():
    table = feature_metrics(
        np.array([[1.0, 1.0], [1.0, 2.0]]), np.array([[1.0, 1.0], [1.0, 2.0]]), ["c", "p"]
    )
    assert math.isnan(table.loc[0, "r2"])
    assert table.loc[1, "r2"] == pytest.approx(1.0)


def test_latent_utilisation():
    mu = np.array([[0.0, 1.0, 1.0], [2.0, 1.0, 1.25], [4.0, 1.0, 1.0], [6.0, 1.0, 1.25]])
    table = latent_utilisation(mu, active_std=0.125)
    assert table["mean"].tolist() == pytest.approx([3.0, 1.0, 1.125])
    assert table["std"].tolist() == pytest.approx([math.sqrt(5.0), 0.0, 0.125])
    # std exactly at the threshold is not active (active means std > threshold).
    assert table["active"].tolist() == [True, False, False]


@pytest.mark.parametrize(
    ("mae", "band"),
    [(0.1499, "excellent"), (0.15, "good"), (0.2499, "good"), (0.25, "poor"), (0.27, "poor")],
)
def test_quality_band_boundaries(mae, band):
    assert quality_band(mae, CONFIG) == band


def test_group_errors_mean_of_per_feature_mae():
    abs_error = np.array([[0.1, 0.3], [0.1, 0.1], [0.05, 0.05], [0.5, 0.1]])
    table = group_errors(abs_error, ["X", "X", "Y", "Z"], CONFIG).set_index("group")
    # X: per-feature MAE 0.1 and 0.2 -> 0.15 (good: not below 0.15).
    assert table.loc["X", "mae_scaled"] == pytest.approx(0.15)
    assert table.loc["X", "quality"] == "good"
    assert table.loc["Y", "quality"] == "excellent"
    assert table.loc["Z", "mae_scaled"] == pytest.approx(0.3)
    assert table.loc["Z", "quality"] == "poor"
    assert table.index.tolist() == ["Y", "X", "Z"]  # best first
    assert table["n_rows"].tolist() == [1, 2, 1]


def test_scope_mask_and_training_rows():
    split = pd.Series(["train", "val", "test", "test"])
    assert scope_mask(split, "test").tolist() == [False, False, True, True]
    assert scope_mask(split, "all").all()
    with pytest.raises(ValueError, match="unknown scope"):
        scope_mask(split, "val")
    train_only = VaeTrainingRows(split="random", train_on="train", scaler_fit="train")
    assert train_only.trained_mask(split).tolist() == [True, False, False, False]
    everything = VaeTrainingRows(split="random", train_on="all", scaler_fit="all")
    assert everything.trained_mask(split).all()
    assert [sample_status(f) for f in (0.0, 0.5, 1.0)] == [
        "out-of-sample",
        "partly in-sample",
        "in-sample",
    ]


def test_vae_training_rows_from_model_config():
    rows = VaeTrainingRows.from_model_config(
        {"split": "size_balanced", "train_on": "all", "scaler_fit": "train", "other": 1}
    )
    assert rows == VaeTrainingRows("size_balanced", "all", "train")
    with pytest.raises(InputDataError, match="train_on"):
        VaeTrainingRows.from_model_config({"split": "x", "scaler_fit": "train"})


def test_scope_report_in_and_out_of_sample():
    rec, mu, _, _ = known_case()
    split = pd.Series(["train", "train", "test", "test"])
    trained = VaeTrainingRows("random", "train", "train").trained_mask(split)
    groups = ["X", "X", "Y", "Y"]
    test = scope_report(rec, mu, groups, split, trained, "test", CONFIG)
    assert test["n_rows"] == 2
    assert test["sample"] == "out-of-sample"
    # Test rows: a residuals 0, 1 -> MAE 0.5; b residuals -1, 0 -> MAE 0.5.
    assert test["scaled"]["per_feature"]["a"]["mae"] == pytest.approx(0.5)
    assert test["physical"]["per_feature"]["b"]["mae"] == pytest.approx(0.5 * 4)
    assert set(test["physical"]["average"]) == {"r2"}  # no averaging across units
    assert test["groups"]["per_group"] == [
        {"group": "Y", "n_rows": 2, "mae_scaled": pytest.approx(0.5), "quality": "poor"}
    ]
    assert test["latent"]["n_active"] == 0  # μ is constant within the test rows

    everything = scope_report(rec, mu, groups, split, trained, "all", CONFIG)
    assert everything["sample"] == "partly in-sample"
    assert everything["fraction_rows_seen_in_vae_training"] == pytest.approx(0.5)
    assert everything["scaled"]["average"]["r2"] == pytest.approx((0.7 + 0.6) / 2)
    assert everything["latent"]["n_active"] == 1  # dim 0 has std 0.5, dim 1 is constant

    with pytest.raises(InputDataError, match="no rows"):
        scope_report(rec, mu, groups, pd.Series(["train"] * 4), trained, "test", CONFIG)


def test_row_errors_columns_and_values():
    rec, _, _, residual = known_case()
    table = row_errors(rec)
    assert table.columns.tolist() == [
        "recon_mae_scaled",
        "abs_err_scaled_a",
        "abs_err_scaled_b",
        "true_a",
        "true_b",
        "pred_a",
        "pred_b",
    ]
    np.testing.assert_allclose(table["recon_mae_scaled"], np.abs(residual).mean(axis=1))
    np.testing.assert_allclose(table["pred_b"] - table["true_b"], residual[:, 1] * 4)


def test_align_embeddings_joins_physical_values_and_checks_rows():
    embeddings = pd.DataFrame(
        {
            "borehole_id": ["h1", "h1", "h2"],
            "depth_bin_m": [0.1, 0.3, 0.1],
            "label": ["clay", "ooze", "clay"],
            "split": ["train", "train", "test"],
            "mu_0": [0.0, 1.0, 2.0],
        }
    )
    frame = pd.DataFrame(
        {
            "borehole_id": ["h2", "h1", "h1"],
            "depth_bin_m": [0.1, 0.3, 0.1],
            "label": ["clay", "ooze", "clay"],
            "a": [3.0, 2.0, 1.0],
        }
    )
    aligned = align_embeddings(embeddings, frame, ["a"])
    assert aligned["a"].tolist() == [1.0, 2.0, 3.0]  # embeddings' row order kept
    assert aligned.columns.tolist() == [*embeddings.columns, "a"]

    wrong_label = frame.assign(label=["clay", "clay", "clay"])
    with pytest.raises(InputDataError, match="labels disagree"):
        align_embeddings(embeddings, wrong_label, ["a"])
    with pytest.raises(InputDataError, match="no row in the dataset"):
        align_embeddings(embeddings, frame.iloc[:2], ["a"])
    with pytest.raises(InputDataError, match="rebuild"):
        align_embeddings(embeddings.iloc[:2], frame, ["a"])
    with pytest.raises(InputDataError, match="features"):
        align_embeddings(embeddings, frame, ["missing"])


def test_config_from_config_and_checks():
    config = ReconstructionConfig.from_config(
        {
            "active_latent_std": 0.2,
            "reconstruction_bands": [0.1, 0.3],
            "reconstruction_scopes": ["all"],
            "coherence_bands": [1.0, 2.0],
        }
    )
    assert config == ReconstructionConfig(0.2, 0.1, 0.3, ("all",))
    with pytest.raises(ConfigError, match="reconstruction_bands"):
        ReconstructionConfig(
            active_latent_std=0.1, excellent_below=0.3, good_below=0.2, scopes=SCOPES
        )
    with pytest.raises(ConfigError, match="scopes"):
        ReconstructionConfig(0.1, 0.15, 0.25, scopes=("val",))
