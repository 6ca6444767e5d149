"""Rule validate_reconstruction: decode a trained VAE's μ and write the reconstruction reports.

Reads the VAE folder (model, scaler, feature list, training config), its embeddings, the dataset
and the hierarchy mapping; writes one JSON report per scope (metrics in scaled and physical
units, latent use, per-group errors; `lithoflow.validation.reconstruction`) and a Parquet file of
per-row errors. This module is the edge where the torch model meets the array-only metrics.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from lithoflow.core.dataset import read_dataset
from lithoflow.core.errors import ConfigError, InputDataError
from lithoflow.core.io import read_json, write_json, write_parquet
from lithoflow.hierarchy.centroids import embedding_matrix, mu_columns
from lithoflow.hierarchy.mapping import groups_of, read_mapping
from lithoflow.vae.run import CONFIG_FILE, load_vae
from lithoflow.validation.reconstruction import (
    Reconstruction,
    ReconstructionConfig,
    VaeTrainingRows,
    align_embeddings,
    complete_rows,
    reconstruct,
    row_errors,
    scope_mask,
    scope_report,
)

log = logging.getLogger(__name__)

ERROR_KEY_COLUMNS = ["borehole_id", "depth_bin_m", "label"]


def torch_decoder(model: torch.nn.Module) -> Callable[[np.ndarray], np.ndarray]:
    """μ (numpy) -> decoded scaled features (float64 numpy), deterministic and without gradients."""

    def decode(mu: np.ndarray) -> np.ndarray:
        dtype = next(model.parameters()).dtype
        with torch.no_grad():
            out = model.decode(torch.tensor(mu, dtype=dtype))
        return out.cpu().numpy().astype(np.float64)

    return decode


@dataclass(frozen=True)
class DecodedVae:
    """A VAE's μ decoded for every row that has one: the aligned dataset rows (`aligned`), which
    of them have every feature and μ (`usable`), and for those rows (`rows`) their μ and the
    reconstruction in both spaces."""

    aligned: pd.DataFrame
    usable: np.ndarray
    rows: pd.DataFrame
    mu: np.ndarray
    reconstruction: Reconstruction


def decode_vae(
    vae_dir: str | os.PathLike[str],
    embeddings_path: str | os.PathLike[str],
    features_path: str | os.PathLike[str],
) -> DecodedVae:
    """Load the VAE folder, align its embeddings with the dataset and decode μ (z = μ)."""
    model, scaler, features = load_vae(vae_dir)
    model.eval()
    features = [str(f) for f in features]
    dataset = read_dataset(features_path)
    embeddings_file = str(embeddings_path)
    aligned = align_embeddings(
        pd.read_parquet(embeddings_file), dataset.frame, features, embeddings_file
    )
    usable = complete_rows(aligned, features, mu_columns(aligned))
    rows = aligned.loc[usable].reset_index(drop=True)
    mu = embedding_matrix(rows, embeddings_file)
    reconstruction = reconstruct(
        mu,
        rows[features].to_numpy(dtype=float),
        features,
        torch_decoder(model),
        scaler.transform,
        scaler.inverse_transform,
    )
    return DecodedVae(aligned, usable, rows, mu, reconstruction)


def run_reconstruction_validation(
    *,
    vae_name: str,
    vae_dir: str | os.PathLike[str],
    embeddings_path: str | os.PathLike[str],
    features_path: str | os.PathLike[str],
    hierarchy_path: str | os.PathLike[str],
    settings: Mapping[str, Any],
    report_paths: Sequence[str | os.PathLike[str]],
    errors_path: str | os.PathLike[str],
) -> dict[str, dict[str, Any]]:
    """Validate the reconstruction of VAE `vae_name` (folder `vae_dir`) on the dataset.

    `settings` holds the config's validation keys active_latent_std, reconstruction_bands and
    reconstruction_scopes; `report_paths` are the JSON reports, one per scope in that order.
    Writes the reports and the per-row errors (keys, group, split and errors per feature);
    returns the reports by scope. Rows lacking a feature (so without μ) are left out and counted
    per scope (``rows_left_out_missing_features``); the per-row errors hold the other rows only.
    """
    config = ReconstructionConfig.from_config(settings)
    if len(report_paths) != len(config.scopes):
        raise ConfigError(
            f"{len(report_paths)} report paths for {len(config.scopes)} scopes "
            f"{list(config.scopes)} (validation.reconstruction_scopes)"
        )
    decoded = decode_vae(vae_dir, embeddings_path, features_path)
    aligned, usable, rows = decoded.aligned, decoded.usable, decoded.rows
    mu, reconstruction = decoded.mu, decoded.reconstruction
    if not usable.all():
        log.warning(
            "%d of %d rows lack a feature (NaN mu) and are left out of the reconstruction",
            int((~usable).sum()),
            len(usable),
        )
    left_out = {
        scope: int((scope_mask(aligned["split"], scope) & ~usable).sum()) for scope in config.scopes
    }
    for scope in config.scopes:
        if left_out[scope] and not scope_mask(rows["split"], scope).any():
            raise InputDataError(
                f"reconstruction scope {scope!r}: every one of its {left_out[scope]} rows lacks a "
                "feature, so none can be reconstructed; leave the scope out of "
                "validation.reconstruction_scopes or drop the features its wells lack",
                path=str(features_path),
            )
    groups = groups_of(rows["label"], read_mapping(hierarchy_path))
    model_config_path = str(Path(vae_dir) / CONFIG_FILE)
    training = VaeTrainingRows.from_model_config(read_json(model_config_path), model_config_path)
    trained = training.trained_mask(rows["split"])
    provenance = {
        "vae": vae_name,
        "vae_training": {
            "split": training.split,
            "train_on": training.train_on,
            "scaler_fit": training.scaler_fit,
        },
    }
    reports: dict[str, dict[str, Any]] = {}
    for scope, path in zip(config.scopes, report_paths, strict=True):
        report = scope_report(reconstruction, mu, groups, rows["split"], trained, scope, config)
        report["rows_left_out_missing_features"] = left_out[scope]
        reports[scope] = {**report, **provenance}
        write_json(path, reports[scope])

    errors = pd.concat(
        [
            rows[ERROR_KEY_COLUMNS].reset_index(drop=True),
            pd.DataFrame({"group": groups.to_numpy(), "split": rows["split"].to_numpy()}),
            row_errors(reconstruction),
        ],
        axis=1,
    )
    features = list(reconstruction.features)
    write_parquet(errors_path, errors, {"features": features, **provenance})
    return reports
