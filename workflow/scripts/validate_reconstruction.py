"""Reconstruction validation: decode μ, metrics per scope in both spaces, per-row errors."""

import os

import numpy as np
import pandas as pd
import torch

from lithoflow.core.dataset import read_dataset
from lithoflow.core.io import read_json, write_json, write_parquet
from lithoflow.core.logs import configure_logging
from lithoflow.hierarchy.mapping import groups_of, read_mapping
from lithoflow.models.vae import load_vae
from lithoflow.validation.hierarchy import embedding_matrix
from lithoflow.validation.reconstruction import (
    ReconstructionConfig,
    VaeTrainingRows,
    align_embeddings,
    reconstruct,
    row_errors,
    scope_report,
)


def torch_decoder(model: torch.nn.Module):
    """μ (numpy) -> decoded scaled features (numpy), deterministically and without gradients."""

    def decode(mu: np.ndarray) -> np.ndarray:
        dtype = next(model.parameters()).dtype
        with torch.no_grad():
            out = model.decode(torch.tensor(mu, dtype=dtype))
        return out.cpu().numpy().astype(np.float64)

    return decode


def main(snakemake) -> None:
    configure_logging(snakemake.log[0])
    torch.set_num_threads(snakemake.threads)
    model_dir = os.path.dirname(str(snakemake.input.model))
    model, scaler, features = load_vae(model_dir)
    model.eval()
    features = [str(f) for f in features]
    dataset = read_dataset(snakemake.input.features)
    embeddings_path = str(snakemake.input.embeddings)
    rows = align_embeddings(
        pd.read_parquet(embeddings_path), dataset.frame, features, embeddings_path
    )
    mu = embedding_matrix(rows, embeddings_path)
    groups = groups_of(rows["label"], read_mapping(snakemake.input.hierarchy))
    reconstruction = reconstruct(
        mu,
        rows[features].to_numpy(dtype=float),
        features,
        torch_decoder(model),
        scaler.transform,
        scaler.inverse_transform,
    )
    model_config_path = str(snakemake.input.model_config)
    training = VaeTrainingRows.from_model_config(read_json(model_config_path), model_config_path)
    trained = training.trained_mask(rows["split"])
    config = ReconstructionConfig.from_config(snakemake.params.validation)
    provenance = {
        "vae": snakemake.params.vae,
        "vae_training": {
            "split": training.split,
            "train_on": training.train_on,
            "scaler_fit": training.scaler_fit,
        },
    }
    for scope, path in zip(config.scopes, snakemake.output.reports, strict=True):
        report = scope_report(reconstruction, mu, groups, rows["split"], trained, scope, config)
        write_json(path, {**report, **provenance})

    errors = pd.concat(
        [
            rows[["borehole_id", "depth_bin_m", "label"]].reset_index(drop=True),
            pd.DataFrame({"group": groups.to_numpy(), "split": rows["split"].to_numpy()}),
            row_errors(reconstruction),
        ],
        axis=1,
    )
    write_parquet(snakemake.output.errors, errors, {"features": features, **provenance})


main(snakemake)
