"""run_reconstruction_validation (rule validate_reconstruction's library function) on a small
trained VAE: the files it writes, checked against a decoding done here with the model itself."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import mean_absolute_error, r2_score

from lithoflow.core.errors import ConfigError
from lithoflow.core.io import read_json
from lithoflow.features.scaling import ScalingConfig
from lithoflow.vae.run import load_vae, train_vae_run
from lithoflow.validation.reconstruction_run import run_reconstruction_validation, torch_decoder
from tests.support.config import vae_config
from tests.support.model_data import FEATURES, write_model_inputs

SETTINGS = {
    "active_latent_std": 0.1,
    "reconstruction_bands": [0.15, 0.25],
    "reconstruction_scopes": ["test", "all"],
}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("reconstruction_run")
    inputs = write_model_inputs(root)
    config = vae_config(
        hidden=[16],
        latent_dim=4,
        beta_end=0.5,
        beta_warmup_epochs=1,
        batch_size=64,
        epochs=2,
        seed=0,
    )
    vae_dir = root / "vae"
    train_vae_run(
        name="v",
        config=config,
        scaling=ScalingConfig.from_config({"default_transform": "identity", "transforms": {}}),
        features_path=inputs["features"],
        split_paths=inputs["splits"],
        output_dir=vae_dir,
        device=torch.device("cpu"),
        full_config={},
        workflow_dir=".",
    )
    return root, inputs, vae_dir


def run(root, inputs, vae_dir, **overrides):
    arguments = {
        "vae_name": "v",
        "vae_dir": vae_dir,
        "embeddings_path": vae_dir / "embeddings.parquet",
        "features_path": inputs["features"],
        "hierarchy_path": inputs["mapping"],
        "settings": SETTINGS,
        "report_paths": [
            root / "out/reconstruction_test.json",
            root / "out/reconstruction_all.json",
        ],
        "errors_path": root / "out/reconstruction_errors.parquet",
    }
    return run_reconstruction_validation(**{**arguments, **overrides})


def test_writes_a_report_per_scope_and_the_row_errors(trained):
    root, inputs, vae_dir = trained
    reports = run(root, inputs, vae_dir)
    assert list(reports) == ["test", "all"]
    for scope in ("test", "all"):
        written = read_json(root / f"out/reconstruction_{scope}.json")
        assert written["scope"] == scope and written["n_rows"] == reports[scope]["n_rows"]
        assert written["vae"] == "v"
        assert written["vae_training"] == {
            "split": "size_balanced",
            "train_on": "train",
            "scaler_fit": "train",
        }
    assert reports["test"]["sample"] != reports["all"]["sample"]
    assert reports["test"]["fraction_rows_seen_in_vae_training"] == 0.0

    errors = pd.read_parquet(root / "out/reconstruction_errors.parquet")
    embeddings = pd.read_parquet(vae_dir / "embeddings.parquet")
    assert len(errors) == len(embeddings) == reports["all"]["n_rows"]
    assert list(errors.columns[:5]) == ["borehole_id", "depth_bin_m", "label", "group", "split"]
    assert (errors["split"] == "test").sum() == reports["test"]["n_rows"]


def test_numbers_equal_a_decoding_done_here(trained):
    root, inputs, vae_dir = trained
    reports = run(root, inputs, vae_dir)
    errors = pd.read_parquet(root / "out/reconstruction_errors.parquet")
    model, scaler, features = load_vae(vae_dir)
    assert tuple(features) == FEATURES
    embeddings = pd.read_parquet(vae_dir / "embeddings.parquet")
    keys = ["borehole_id", "depth_bin_m"]
    rows = errors[keys].merge(embeddings, on=keys)
    mu = rows.filter(regex=r"^mu_").to_numpy(dtype=np.float32, copy=True)
    with torch.no_grad():
        decoded = model.decode(torch.from_numpy(mu)).numpy().astype(np.float64)
    pred_physical = scaler.inverse_transform(decoded)
    true_physical = errors[[f"true_{f}" for f in features]].to_numpy()
    np.testing.assert_allclose(errors[[f"pred_{f}" for f in features]], pred_physical, rtol=1e-6)
    physical = reports["all"]["physical"]["per_feature"]
    for i, feature in enumerate(features):
        assert physical[feature]["mae"] == pytest.approx(
            mean_absolute_error(true_physical[:, i], pred_physical[:, i]), rel=1e-6
        )
        assert physical[feature]["r2"] == pytest.approx(
            r2_score(true_physical[:, i], pred_physical[:, i]), rel=1e-6, abs=1e-9
        )


def test_torch_decoder_is_the_models_decode(trained):
    _, _, vae_dir = trained
    model, _, _ = load_vae(vae_dir)
    mu = np.random.default_rng(0).normal(size=(5, 4))
    with torch.no_grad():
        expected = model.decode(torch.tensor(mu, dtype=torch.float32)).numpy()
    decoded = torch_decoder(model)(mu)
    assert decoded.dtype == np.float64
    np.testing.assert_allclose(decoded, expected, rtol=1e-6)


def test_one_report_path_per_scope(trained):
    root, inputs, vae_dir = trained
    with pytest.raises(ConfigError, match="1 report paths for 2 scopes"):
        run(root, inputs, vae_dir, report_paths=[root / "only_one.json"])
    assert not (root / "only_one.json").exists()
