"""The VAE comparison table: its columns on hand-made inputs, and on two small trained VAEs."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from lithoflow.validation.vae_comparison import (
    COLUMNS,
    VaeComparisonConfig,
    classifier_columns,
    comparison_frame,
    reconstruction_columns,
    run_vae_comparison,
    vae_settings_columns,
)

from .test_vae_variants import _train

CONFIG = VaeComparisonConfig(classifier_target="group", active_latent_std=0.1,
                             coherence_bands=(1.0, 2.0))  # fmt: skip


def test_reconstruction_columns_on_a_known_case():
    true = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, 5.0]])
    perfect = reconstruction_columns(true, true, true, true, true, ["a", "b"], 0.1)
    assert perfect["recon_r2_physical_test"] == 1.0 and perfect["n_test_rows"] == 3
    mean_only = np.tile(true.mean(axis=0), (3, 1))
    mu = np.column_stack([np.arange(3.0), np.zeros(3)])  # one active dimension
    worst = reconstruction_columns(true, mean_only, true, true, mu, ["a", "b"], 0.1)
    assert worst["recon_r2_physical_test"] == 0.0 and worst["recon_r2_scaled_test"] == 1.0
    assert worst["active_latent_dims_test"] == 1


def test_classifier_columns_read_the_interval_or_stay_empty():
    metrics = {"balanced_accuracy": 0.4, "intervals": {"balanced_accuracy": {
        "mean": 0.4, "std": 0.1, "low": 0.3, "high": 0.5, "n": 3, "method": "t"}}}  # fmt: skip
    columns = classifier_columns("v1_1", metrics)
    assert (columns["balanced_accuracy_low"], columns["balanced_accuracy_high"]) == (0.3, 0.5)
    assert columns["balanced_accuracy_n"] == 3
    empty = classifier_columns(None, None)
    assert empty["classifier_run"] == "" and math.isnan(empty["balanced_accuracy_mean"])
    point = classifier_columns("old", {"balanced_accuracy": 0.25})  # a run without intervals
    assert point["balanced_accuracy_mean"] == 0.25 and math.isnan(point["balanced_accuracy_low"])


def test_settings_columns_and_frame_order():
    plain = {"architecture": {"latent_dim": 10}, "training": {"beta_end": 0.75}}
    row = vae_settings_columns("v2_6_7", plain)
    assert row["kind"] == "vae" and math.isnan(row["tc_weight"]) and row["aux_target"] == ""
    frame = comparison_frame([row, {**row, "vae": "b"}])
    assert tuple(frame.columns) == COLUMNS and list(frame["vae"]) == ["v2_6_7", "b"]


def test_run_on_two_trained_vaes(tmp_path):
    plain = _train(tmp_path / "a", epochs=2)
    semi = _train(tmp_path / "b", epochs=2, kind="semi_supervised", aux_target="group",
                  aux_weight=1.0)  # fmt: skip
    metrics_path = tmp_path / "metrics.json"
    metrics_path.write_text(json.dumps({"balanced_accuracy": 0.4, "intervals": {
        "balanced_accuracy": {"mean": 0.4, "std": 0.1, "low": 0.3, "high": 0.5, "n": 3,
                              "method": "t", "confidence": 0.95}}}))  # fmt: skip
    out = tmp_path / "vae_comparison.csv"
    table = run_vae_comparison(
        vae_dirs={"plain": plain, "semi": semi},
        features_path=tmp_path / "a/results/data/features.parquet",
        hierarchy_path=tmp_path / "a/results/hierarchy/lithology_hierarchy_mapping.csv",
        classifier_runs={"plain": "v1_1", "semi": None},
        metrics_paths={"v1_1": metrics_path},
        config=CONFIG,
        output_path=out,
    )
    written = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert tuple(written.columns) == COLUMNS
    assert list(written["kind"]) == ["vae", "semi_supervised"]
    assert list(written["aux_target"].fillna("")) == ["", "group"]
    assert (written["n_test_rows"] == 80).all()  # the two test boreholes' 40 rows each
    assert written["recon_r2_physical_test"].between(-5, 1).all()
    assert written["ari_expert_groups"].between(-1, 1).all()
    assert written.loc[0, "balanced_accuracy_low"] == pytest.approx(0.3)
    assert written.loc[1, "classifier_run"] != written.loc[1, "classifier_run"]  # empty: NaN
    assert table["latent_dim"].tolist() == [10, 10]
