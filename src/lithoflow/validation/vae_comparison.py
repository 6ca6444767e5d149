"""Every VAE of `vae.models` side by side (rule vae_comparison: validation/vae_comparison.csv).

One row per VAE: its kind and size, the held-out reconstruction (R² on its split's test
boreholes, physical and scaled units, `lithoflow.validation.reconstruction`), how many latent
dimensions are active on those rows, the ARI of the Ward clusters of its lithology centroids
against the expert groups (`lithoflow.validation.hierarchy`, every encoded row as in rule
validate_hierarchy), and the balanced accuracy with its 95 % interval of the classifier run that
scores its embedding: the first run of `classifiers.runs` with input embedding, that VAE and the
configured target (`lithoflow.core.config.embedding_run_for`).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.core.errors import InputDataError
from lithoflow.core.io import read_json, write_csv
from lithoflow.hierarchy.centroids import embedding_matrix, encoded_rows
from lithoflow.hierarchy.mapping import groups_of, read_mapping
from lithoflow.stats.intervals import interval_of
from lithoflow.training.runs import CONFIG_FILE
from lithoflow.vae.run import EMBEDDINGS_FILE
from lithoflow.validation.hierarchy import HierarchyValidationConfig, validate_hierarchy
from lithoflow.validation.reconstruction import feature_metrics, latent_utilisation, scope_mask
from lithoflow.validation.reconstruction_run import decode_vae

log = logging.getLogger(__name__)

SCORE_METRIC = "balanced_accuracy"
COLUMNS: tuple[str, ...] = (
    "vae",
    "kind",
    "latent_dim",
    "beta_end",
    "tc_weight",
    "aux_target",
    "n_test_rows",
    "recon_r2_physical_test",
    "recon_r2_scaled_test",
    "active_latent_dims_test",
    "ari_expert_groups",
    "classifier_run",
    "balanced_accuracy_mean",
    "balanced_accuracy_low",
    "balanced_accuracy_high",
    "balanced_accuracy_n",
)


@dataclass(frozen=True)
class VaeComparisonConfig:
    """validation.vae_comparison plus the thresholds it shares with the other validations."""

    classifier_target: str
    active_latent_std: float
    coherence_bands: tuple[float, float]

    @classmethod
    def from_config(cls, validation: Mapping[str, Any]) -> VaeComparisonConfig:
        low, high = validation["coherence_bands"]
        return cls(
            classifier_target=str(validation["vae_comparison"]["classifier_target"]),
            active_latent_std=float(validation["active_latent_std"]),
            coherence_bands=(float(low), float(high)),
        )


def reconstruction_columns(
    true_physical: np.ndarray,
    pred_physical: np.ndarray,
    true_scaled: np.ndarray,
    pred_scaled: np.ndarray,
    mu: np.ndarray,
    features: Sequence[str],
    active_latent_std: float,
) -> dict[str, Any]:
    """Mean per-feature R² (physical and scaled) and active μ dimensions of some rows."""
    physical = feature_metrics(true_physical, pred_physical, features)
    scaled = feature_metrics(true_scaled, pred_scaled, features)
    latent = latent_utilisation(mu, active_latent_std)
    return {
        "n_test_rows": len(mu),
        "recon_r2_physical_test": float(physical["r2"].mean()),
        "recon_r2_scaled_test": float(scaled["r2"].mean()),
        "active_latent_dims_test": int(latent["active"].sum()),
    }


def ari_of(
    embeddings: pd.DataFrame, label_to_group: Mapping[str, str], bands: Sequence[float]
) -> float:
    """ARI of the Ward clusters of the lithology centroids of μ against the expert groups."""
    rows, _ = encoded_rows(embeddings)
    mu = embedding_matrix(rows)
    groups = groups_of(rows["label"], label_to_group)
    config = HierarchyValidationConfig.from_config({"coherence_bands": list(bands)})
    return validate_hierarchy(mu, rows["label"], groups, config).ari


def classifier_columns(run: str | None, metrics: Mapping[str, Any] | None) -> dict[str, Any]:
    """The run's balanced accuracy: mean, 95 % interval bounds and number of units (NaN without)."""
    empty = {
        "classifier_run": run or "",
        "balanced_accuracy_mean": math.nan,
        "balanced_accuracy_low": math.nan,
        "balanced_accuracy_high": math.nan,
        "balanced_accuracy_n": 0,
    }
    interval = None if metrics is None else interval_of(metrics, SCORE_METRIC)
    if interval is None:
        return empty
    return {
        **empty,
        "balanced_accuracy_mean": interval.mean,
        "balanced_accuracy_low": interval.low,
        "balanced_accuracy_high": interval.high,
        "balanced_accuracy_n": interval.n,
    }


def vae_settings_columns(name: str, model_config: Mapping[str, Any]) -> dict[str, Any]:
    """Kind, latent size, β_end and the kind's own settings from the VAE's config.json."""
    architecture, training = model_config["architecture"], model_config["training"]
    aux = model_config.get("aux") or {}
    return {
        "vae": name,
        "kind": architecture.get("kind", "vae"),
        "latent_dim": int(architecture["latent_dim"]),
        "beta_end": float(training["beta_end"]),
        "tc_weight": training.get("tc_weight", math.nan),
        "aux_target": aux.get("target", ""),
    }


def comparison_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The table with its stable columns, in the order the rows are given."""
    return pd.DataFrame([{c: row.get(c) for c in COLUMNS} for row in rows], columns=list(COLUMNS))


def vae_comparison_row(
    name: str,
    vae_dir: str | os.PathLike[str],
    embeddings_path: str | os.PathLike[str],
    features_path: str | os.PathLike[str],
    label_to_group: Mapping[str, str],
    run: str | None,
    metrics: Mapping[str, Any] | None,
    config: VaeComparisonConfig,
) -> dict[str, Any]:
    """One VAE's row: settings, held-out reconstruction, active dimensions, ARI, its classifier."""
    model_config = read_json(Path(vae_dir) / CONFIG_FILE)
    decoded = decode_vae(vae_dir, embeddings_path, features_path)
    test = scope_mask(decoded.rows["split"], "test")
    if not test.any():
        raise InputDataError(
            f"VAE {name}: none of its split's test rows has every feature and a mu, so its "
            "held-out reconstruction cannot be measured",
            path=str(embeddings_path),
        )
    held_out = decoded.reconstruction.subset(test)
    row = {
        **vae_settings_columns(name, model_config),
        **reconstruction_columns(
            held_out.true_physical,
            held_out.pred_physical,
            held_out.true_scaled,
            held_out.pred_scaled,
            decoded.mu[test],
            held_out.features,
            config.active_latent_std,
        ),
        "ari_expert_groups": ari_of(
            pd.read_parquet(embeddings_path), label_to_group, config.coherence_bands
        ),
        **classifier_columns(run, metrics),
    }
    log.info(
        "VAE %s (%s): held-out physical R² %.3f, %d active dimensions, ARI %.3f, %s %s %.4f",
        name,
        row["kind"],
        row["recon_r2_physical_test"],
        row["active_latent_dims_test"],
        row["ari_expert_groups"],
        run or "no classifier run",
        SCORE_METRIC,
        row["balanced_accuracy_mean"],
    )
    return row


def run_vae_comparison(
    *,
    vae_dirs: Mapping[str, str | os.PathLike[str]],
    features_path: str | os.PathLike[str],
    hierarchy_path: str | os.PathLike[str],
    classifier_runs: Mapping[str, str | None],
    metrics_paths: Mapping[str, str | os.PathLike[str]],
    config: VaeComparisonConfig,
    output_path: str | os.PathLike[str],
) -> pd.DataFrame:
    """Rule vae_comparison: a row per VAE (folder in `vae_dirs`, with its embeddings.parquet);
    `classifier_runs` maps each VAE to its classifier run (or None), `metrics_paths` each run to
    its metrics.json. Writes the CSV and returns the table."""
    label_to_group = read_mapping(hierarchy_path)
    rows = []
    for name, folder in vae_dirs.items():
        run = classifier_runs.get(name)
        metrics = read_json(metrics_paths[run]) if run is not None else None
        rows.append(
            vae_comparison_row(
                name,
                folder,
                Path(folder) / EMBEDDINGS_FILE,
                features_path,
                label_to_group,
                run,
                metrics,
                config,
            )
        )
    table = comparison_frame(rows)
    write_csv(output_path, table)
    return table
