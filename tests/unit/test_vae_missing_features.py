"""A dataset holding rows with missing features (ingest.missing_features: keep): the VAE trains and
encodes complete rows only, the other rows get NaN μ, and the steps after it leave them out."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from lithoflow.core.dataset import read_dataset, write_dataset
from lithoflow.core.errors import InputDataError
from lithoflow.features.scaling import Scaler, ScalingConfig
from lithoflow.hierarchy.centroids import encoded_rows, mu_columns
from lithoflow.hierarchy.data_driven import DataDrivenConfig, run_data_driven_hierarchy
from lithoflow.vae.config import VAEConfig
from lithoflow.vae.embeddings import join_embeddings, read_embeddings
from lithoflow.vae.run import train_vae_run
from lithoflow.validation.reconstruction_run import run_reconstruction_validation
from tests.support.config import vae_config as support_vae_config
from tests.support.model_data import FEATURES, write_model_inputs

SCALING = ScalingConfig.from_config({"default_transform": "identity", "transforms": {}})
SETTINGS = {
    "active_latent_std": 0.1,
    "reconstruction_bands": [0.15, 0.25],
    "reconstruction_scopes": ["test", "all"],
}


def _vae_config(**overrides) -> VAEConfig:
    return support_vae_config(
        **{
            "hidden": [16],
            "latent_dim": 4,
            "beta_end": 0.5,
            "beta_warmup_epochs": 1,
            "batch_size": 64,
            "epochs": 2,
            "seed": 0,
            **overrides,
        }
    )


def _blank(frame: pd.DataFrame, rows: pd.Index, feature: str) -> pd.DataFrame:
    out = frame.copy()
    out.loc[out.index.isin(rows), feature] = np.nan
    return out


@pytest.fixture(scope="module")
def holed(tmp_path_factory):
    """The model test inputs with MS missing in a whole train borehole and NGR in 5 test rows."""
    root = tmp_path_factory.mktemp("vae_missing")
    inputs = write_model_inputs(root)
    frame = read_dataset(inputs["features"]).frame
    train_boreholes = sorted(read_dataset(inputs["splits"]["train"]).frame["borehole_id"].unique())
    test_boreholes = sorted(read_dataset(inputs["splits"]["test"]).frame["borehole_id"].unique())
    ms_rows = frame.index[frame["borehole_id"] == train_boreholes[0]]
    ngr_rows = frame.index[frame["borehole_id"] == test_boreholes[0]][:5]
    frame = _blank(_blank(frame, ms_rows, "MS"), ngr_rows, "NGR")
    write_dataset(inputs["features"], frame, FEATURES)
    for path in inputs["splits"].values():
        part_frame = read_dataset(path).frame
        keys = part_frame[["borehole_id", "depth_bin_m"]]
        refreshed = keys.merge(frame, on=["borehole_id", "depth_bin_m"], how="left")
        write_dataset(path, refreshed[frame.columns], FEATURES)
    missing = frame[list(FEATURES)].isna().any(axis=1).to_numpy()
    assert missing.sum() == len(ms_rows) + 5
    vae_dir = root / "vae"
    train_vae_run(
        name="v",
        config=_vae_config(),
        scaling=SCALING,
        features_path=inputs["features"],
        split_paths=inputs["splits"],
        output_dir=vae_dir,
        device=torch.device("cpu"),
        full_config={},
        workflow_dir=".",
    )
    return root, inputs, vae_dir, frame, missing


def test_vae_trains_on_complete_rows_and_gives_nan_mu_to_the_others(holed) -> None:
    _, inputs, vae_dir, frame, missing = holed
    train_keys = read_dataset(inputs["splits"]["train"]).frame
    complete_train = int(train_keys[list(FEATURES)].notna().all(axis=1).sum())
    config = json.loads((vae_dir / "config.json").read_text())
    assert config["rows"]["train"] == complete_train < len(train_keys)
    assert config["rows"]["scaler_fit"] == complete_train
    assert config["rows"]["all"] == len(frame)
    assert config["rows"]["left_out_missing_features"] == int(missing.sum())
    assert config["rows"]["encoded"] == len(frame) - int(missing.sum())
    assert Scaler.from_json(vae_dir / "scaler.json").n_samples == complete_train
    history = pd.read_csv(vae_dir / "history.csv")
    assert np.isfinite(history[["loss", "val_loss"]].to_numpy()).all()

    table, metadata = read_embeddings(vae_dir / "embeddings.parquet")
    assert len(table) == len(frame)  # every dataset row keeps an embeddings row
    mu = table[metadata["latent_columns"]].to_numpy()
    np.testing.assert_array_equal(np.isnan(mu).any(axis=1), missing)
    np.testing.assert_array_equal(np.isnan(mu).all(axis=1), missing)


def test_join_embeddings_passes_nan_mu_but_not_absent_rows(holed) -> None:
    _, _, vae_dir, frame, missing = holed
    table, metadata = read_embeddings(vae_dir / "embeddings.parquet")
    columns = metadata["latent_columns"]
    x = join_embeddings(frame, table, columns)
    np.testing.assert_array_equal(np.isnan(x).any(axis=1), missing)
    with pytest.raises(InputDataError, match="no VAE embedding"):
        join_embeddings(frame, table.iloc[1:], columns)


def test_reconstruction_leaves_out_and_counts_incomplete_rows(holed) -> None:
    root, inputs, vae_dir, frame, missing = holed
    reports = run_reconstruction_validation(
        vae_name="v",
        vae_dir=vae_dir,
        embeddings_path=vae_dir / "embeddings.parquet",
        features_path=inputs["features"],
        hierarchy_path=inputs["mapping"],
        settings=SETTINGS,
        report_paths=[root / "out/test.json", root / "out/all.json"],
        errors_path=root / "out/errors.parquet",
    )
    assert reports["all"]["n_rows"] == len(frame) - int(missing.sum())
    assert reports["all"]["rows_left_out_missing_features"] == int(missing.sum())
    assert reports["test"]["rows_left_out_missing_features"] == 5
    for report in reports.values():
        r2 = [v["r2"] for v in report["scaled"]["per_feature"].values()]
        assert np.isfinite(r2).all()
    errors = pd.read_parquet(root / "out/errors.parquet")
    assert len(errors) == len(frame) - int(missing.sum())
    assert np.isfinite(errors["recon_mae_scaled"]).all()


def test_reconstruction_of_a_scope_without_complete_rows_is_a_clear_error(holed) -> None:
    root, inputs, vae_dir, _, _ = holed
    table = pd.read_parquet(vae_dir / "embeddings.parquet")
    table.loc[table["split"] == "test", mu_columns(table)] = np.nan
    path = root / "all_test_nan.parquet"
    table.to_parquet(path)
    with pytest.raises(InputDataError, match="scope 'test': every one of its"):
        run_reconstruction_validation(
            vae_name="v",
            vae_dir=vae_dir,
            embeddings_path=path,
            features_path=inputs["features"],
            hierarchy_path=inputs["mapping"],
            settings=SETTINGS,
            report_paths=[root / "out2/test.json", root / "out2/all.json"],
            errors_path=root / "out2/errors.parquet",
        )


def test_hierarchy_steps_use_encoded_or_complete_rows(holed) -> None:
    root, inputs, vae_dir, frame, missing = holed
    kept, left_out = encoded_rows(pd.read_parquet(vae_dir / "embeddings.parquet"))
    assert left_out == int(missing.sum()) and len(kept) == len(frame) - left_out
    for source in ("raw", "embedding"):
        config = DataDrivenConfig.from_config(
            {
                "enabled": True,
                "input": source,
                "vae": "v",
                "rows": "all",
                "split": "size_balanced",
                "n_groups": 3,
                "k_range": [2, 4],
                "min_rows": 5,
            }
        )
        summary = run_data_driven_hierarchy(
            config=config,
            scaling=SCALING,
            features_path=inputs["features"],
            expert_mapping_path=inputs["mapping"],
            mapping_path=root / f"dd_{source}.csv",
            summary_path=root / f"dd_{source}.json",
            embeddings_path=vae_dir / "embeddings.parquet",
        )
        assert summary["n_fit_rows"] == len(frame) - int(missing.sum())
        assert summary["n_fit_rows_left_out_missing_features"] == int(missing.sum())
