"""How well does the VAE reconstruct its inputs? (docs/investigation.md §9, §11.A.6, §11.A.9)

Decoding is deterministic (z = μ). Metrics are reported in two spaces, clearly named:
- **scaled**: the model's own space (per-feature transform, then z-score), where the
  investigation measured, and where features are comparable;
- **physical**: the decoded values inverse-transformed into each feature's own units (what the
  investigation's table claimed but did not measure).
and for named scopes of rows: ``test`` (the VAE's test boreholes, out-of-sample when the VAE was
trained on its train part) and ``all`` (every row, the investigation's in-sample setting).
Only rows with every feature (and so a μ) take part; the reports count the rows left out.

Everything here works on plain arrays and callables, so the model code stays at the edges.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.core.config import bands_problem, raise_if
from lithoflow.core.dataset import KEY_COLUMNS, LABEL_COLUMN
from lithoflow.core.errors import ConfigError, InputDataError, format_list

log = logging.getLogger(__name__)

SCOPES: tuple[str, ...] = ("test", "all")
SCOPE_DESCRIPTIONS = {
    "test": "rows of the VAE's test boreholes (held out from VAE training unless train_on is all)",
    "all": "every row of the dataset (the investigation's setting)",
}
SCALED_UNITS = "scaled units (per-feature transform then z-score with the VAE's scaler)"
PHYSICAL_UNITS = "physical units (each feature's own input units, after inverse transform)"
ROW_ERROR_COLUMN = "recon_mae_scaled"
SPLIT_COLUMN = "split"


@dataclass(frozen=True)
class ReconstructionConfig:
    """Latent-activity threshold, group quality bands and the scopes to report."""

    active_latent_std: float
    excellent_below: float
    good_below: float
    scopes: tuple[str, ...]

    def __post_init__(self) -> None:
        raise_if(
            bands_problem([self.excellent_below, self.good_below]),
            "validation.reconstruction_bands",
        )
        unknown = [s for s in self.scopes if s not in SCOPES]
        if unknown:
            raise ConfigError(
                "config key validation.reconstruction_scopes: unknown scopes "
                f"{format_list(unknown)}"
            )

    @classmethod
    def from_config(cls, validation: Mapping[str, Any]) -> ReconstructionConfig:
        """Build from the config's `validation` section."""
        excellent, good = validation["reconstruction_bands"]
        return cls(
            active_latent_std=float(validation["active_latent_std"]),
            excellent_below=float(excellent),
            good_below=float(good),
            scopes=tuple(validation["reconstruction_scopes"]),
        )


@dataclass(frozen=True)
class Reconstruction:
    """True and decoded values of the same rows, in scaled and in physical space."""

    features: tuple[str, ...]
    true_scaled: np.ndarray
    pred_scaled: np.ndarray
    true_physical: np.ndarray
    pred_physical: np.ndarray

    def subset(self, mask: np.ndarray) -> Reconstruction:
        """The rows selected by boolean `mask`."""
        return Reconstruction(
            features=self.features,
            true_scaled=self.true_scaled[mask],
            pred_scaled=self.pred_scaled[mask],
            true_physical=self.true_physical[mask],
            pred_physical=self.pred_physical[mask],
        )

    def __len__(self) -> int:
        return len(self.true_scaled)


@dataclass(frozen=True)
class VaeTrainingRows:
    """Which rows a VAE (and its scaler) saw in training, from its config.json."""

    split: str
    train_on: str  # "train" or "all"
    scaler_fit: str  # "train" or "all"

    @classmethod
    def from_model_config(
        cls, model_config: Mapping[str, Any], path: str = "<memory>"
    ) -> VaeTrainingRows:
        """Read `split`, `train_on` and `scaler_fit` from a VAE's config.json contents."""
        missing = [k for k in ("split", "train_on", "scaler_fit") if k not in model_config]
        if missing:
            raise InputDataError(f"VAE config lacks keys {format_list(missing)}", path=path)
        return cls(
            split=str(model_config["split"]),
            train_on=str(model_config["train_on"]),
            scaler_fit=str(model_config["scaler_fit"]),
        )

    def trained_mask(self, split: pd.Series | np.ndarray) -> np.ndarray:
        """True for rows the VAE was fitted on (its split's train part, or every row)."""
        split = np.asarray(split, dtype=object)
        if self.train_on == "all":
            return np.ones(len(split), dtype=bool)
        return split == "train"


def align_embeddings(
    embeddings: pd.DataFrame,
    frame: pd.DataFrame,
    features: Sequence[str],
    path: str = "<memory>",
) -> pd.DataFrame:
    """Join embeddings (keys, label, split, mu_*) with the dataset's physical feature values.

    Every embedding row must match exactly one dataset row with the same label, and vice versa;
    the result keeps the embeddings' row order.
    """
    keys = list(KEY_COLUMNS)
    missing = [c for c in (*keys, LABEL_COLUMN, SPLIT_COLUMN) if c not in embeddings.columns]
    if missing:
        raise InputDataError(f"embeddings lack columns {format_list(missing)}", path=path)
    absent = [f for f in features if f not in frame.columns]
    if absent:
        raise InputDataError(
            f"the dataset lacks the VAE's features {format_list(absent)}", path=path
        )
    values = frame[[*keys, LABEL_COLUMN, *features]].rename(columns={LABEL_COLUMN: "_label"})
    merged = embeddings.merge(values, on=keys, how="left", validate="one_to_one", indicator=True)
    unmatched = merged["_merge"] != "both"
    if unmatched.any():
        raise InputDataError(
            f"{int(unmatched.sum())} embedding rows have no row in the dataset",
            path=path,
            examples=merged.loc[unmatched, keys],
        )
    if len(frame) != len(embeddings):
        raise InputDataError(
            f"the dataset has {len(frame)} rows but the embeddings {len(embeddings)}; rebuild them",
            path=path,
        )
    mismatch = merged[LABEL_COLUMN].astype(str) != merged["_label"].astype(str)
    if mismatch.any():
        raise InputDataError(
            "embedding and dataset labels disagree",
            path=path,
            column=LABEL_COLUMN,
            examples=merged.loc[mismatch, [*keys, LABEL_COLUMN, "_label"]],
        )
    return merged.drop(columns=["_merge", "_label"])


def complete_rows(
    rows: pd.DataFrame, features: Sequence[str], mu_columns: Sequence[str]
) -> np.ndarray:
    """True for rows with every feature and every μ present (the rows that can be compared).

    With ``ingest.missing_features: keep`` the dataset holds rows lacking a feature; the VAE
    gives them NaN μ, and reconstruction is measured on the other rows only.
    """
    columns = [*features, *mu_columns]
    return rows[columns].notna().all(axis=1).to_numpy()


def reconstruct(
    mu: np.ndarray,
    true_physical: np.ndarray,
    features: Sequence[str],
    decode: Callable[[np.ndarray], np.ndarray],
    transform: Callable[[np.ndarray], np.ndarray],
    inverse_transform: Callable[[np.ndarray], np.ndarray],
) -> Reconstruction:
    """Decode μ deterministically and express truth and prediction in both spaces.

    `decode` maps μ to scaled features; `transform`/`inverse_transform` are the VAE's scaler
    (physical <-> scaled, columns in `features` order).
    """
    mu = np.asarray(mu, dtype=float)
    true_physical = np.asarray(true_physical, dtype=float)
    n_features = len(features)
    if true_physical.shape != (len(mu), n_features):
        raise ValueError(
            f"true_physical must be ({len(mu)}, {n_features}), got {true_physical.shape}"
        )
    true_scaled = np.asarray(transform(true_physical), dtype=float)
    pred_scaled = np.asarray(decode(mu), dtype=float)
    if pred_scaled.shape != true_physical.shape:
        raise ValueError(f"decoder returned {pred_scaled.shape}, expected {true_physical.shape}")
    pred_physical = np.asarray(inverse_transform(pred_scaled), dtype=float)
    return Reconstruction(
        features=tuple(features),
        true_scaled=true_scaled,
        pred_scaled=pred_scaled,
        true_physical=true_physical,
        pred_physical=pred_physical,
    )


def feature_metrics(true: np.ndarray, pred: np.ndarray, features: Sequence[str]) -> pd.DataFrame:
    """Per-feature MAE, RMSE and R² (1 − SS_res/SS_tot; NaN when the truth is constant)."""
    true = np.asarray(true, dtype=float)
    pred = np.asarray(pred, dtype=float)
    residual = true - pred
    mae = np.abs(residual).mean(axis=0)
    rmse = np.sqrt((residual**2).mean(axis=0))
    ss_res = (residual**2).sum(axis=0)
    ss_tot = ((true - true.mean(axis=0)) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0), np.nan)
    return pd.DataFrame({"feature": list(features), "mae": mae, "rmse": rmse, "r2": r2})


def latent_utilisation(mu: np.ndarray, active_std: float) -> pd.DataFrame:
    """Mean and std (ddof 0) of each μ dimension; a dimension is active when std > active_std."""
    mu = np.asarray(mu, dtype=float)
    std = mu.std(axis=0)
    return pd.DataFrame(
        {
            "dimension": np.arange(mu.shape[1]),
            "mean": mu.mean(axis=0),
            "std": std,
            "active": std > active_std,
        }
    )


def quality_band(mae: float, config: ReconstructionConfig) -> str:
    """excellent below config.excellent_below, good below config.good_below, else poor.

    The investigation's script rule (docs/investigation.md §11.A.9): everything at or above the
    upper
    band edge is poor.
    """
    if mae < config.excellent_below:
        return "excellent"
    if mae < config.good_below:
        return "good"
    return "poor"


def group_errors(
    abs_error_scaled: np.ndarray,
    groups: Sequence[str] | pd.Series,
    config: ReconstructionConfig,
) -> pd.DataFrame:
    """Mean of the per-feature scaled MAEs within each group, with its quality band.

    Rows: group, n_rows, mae_scaled, quality; sorted from best to worst.
    """
    abs_error_scaled = np.asarray(abs_error_scaled, dtype=float)
    groups = np.asarray(groups, dtype=object).astype(str)
    rows = []
    for group in sorted({str(g) for g in groups}):
        members = abs_error_scaled[groups == group]
        per_feature_mae = members.mean(axis=0)
        mae = float(per_feature_mae.mean())
        rows.append(
            {
                "group": group,
                "n_rows": len(members),
                "mae_scaled": mae,
                "quality": quality_band(mae, config),
            }
        )
    table = pd.DataFrame(rows, columns=["group", "n_rows", "mae_scaled", "quality"])
    return table.sort_values(["mae_scaled", "group"], kind="stable").reset_index(drop=True)


def scope_mask(split: pd.Series | np.ndarray, scope: str) -> np.ndarray:
    """Rows of a scope: ``test`` = the VAE split's test rows, ``all`` = every row."""
    split = np.asarray(split, dtype=object)
    if scope == "all":
        return np.ones(len(split), dtype=bool)
    if scope == "test":
        return split == "test"
    raise ValueError(f"unknown scope {scope!r}; expected one of {format_list(SCOPES)}")


def sample_status(fraction_seen: float) -> str:
    """out-of-sample (no row seen in training), in-sample (all seen) or partly in-sample."""
    if fraction_seen == 0:
        return "out-of-sample"
    if fraction_seen == 1:
        return "in-sample"
    return "partly in-sample"


def _metrics_record(table: pd.DataFrame, with_average: Sequence[str]) -> dict[str, Any]:
    per_feature = {
        row.feature: {"mae": row.mae, "rmse": row.rmse, "r2": row.r2}
        for row in table.itertuples(index=False)
    }
    average = {name: float(table[name].mean()) for name in with_average}
    return {"per_feature": per_feature, "average": average}


def scope_report(
    reconstruction: Reconstruction,
    mu: np.ndarray,
    groups: Sequence[str] | pd.Series,
    split: pd.Series | np.ndarray,
    trained: np.ndarray,
    scope: str,
    config: ReconstructionConfig,
) -> dict[str, Any]:
    """The JSON-ready reconstruction report of one scope (all inputs aligned per row).

    `trained` marks the rows the VAE was fitted on, so the report says whether the scope is
    in-sample.
    """
    mask = scope_mask(split, scope)
    n_rows = int(mask.sum())
    if n_rows == 0:
        raise InputDataError(f"reconstruction scope {scope!r} has no rows")
    rows = reconstruction.subset(mask)
    groups = np.asarray(groups, dtype=object)[mask]
    fraction_seen = float(np.asarray(trained, dtype=bool)[mask].mean())
    features = reconstruction.features

    scaled = feature_metrics(rows.true_scaled, rows.pred_scaled, features)
    physical = feature_metrics(rows.true_physical, rows.pred_physical, features)
    latent = latent_utilisation(np.asarray(mu, dtype=float)[mask], config.active_latent_std)
    by_group = group_errors(np.abs(rows.true_scaled - rows.pred_scaled), groups, config)
    status = sample_status(fraction_seen)
    log.info(
        "scope %s: %d rows (%s), scaled R² %.3f, physical R² %.3f, %d/%d active dimensions",
        scope,
        n_rows,
        status,
        scaled["r2"].mean(),
        physical["r2"].mean(),
        int(latent["active"].sum()),
        len(latent),
    )
    return {
        "scope": scope,
        "scope_description": SCOPE_DESCRIPTIONS[scope],
        "n_rows": n_rows,
        "sample": status,
        "fraction_rows_seen_in_vae_training": fraction_seen,
        "features": list(features),
        "decoding": "deterministic, z = mu",
        "scaled": {"units": SCALED_UNITS, **_metrics_record(scaled, ("mae", "rmse", "r2"))},
        "physical": {
            "units": PHYSICAL_UNITS,
            # MAE and RMSE in different units cannot be averaged; R² is unitless.
            **_metrics_record(physical, ("r2",)),
        },
        "latent": {
            "active_std_threshold": config.active_latent_std,
            "n_active": int(latent["active"].sum()),
            "n_dimensions": len(latent),
            "dimensions": latent.to_dict(orient="records"),
        },
        "groups": {
            "units": SCALED_UNITS,
            "statistic": "mean over features of the per-feature MAE within the group",
            "bands": {
                "excellent_below": config.excellent_below,
                "good_below": config.good_below,
                "rule": (
                    f"excellent if MAE < {config.excellent_below}, good if MAE < "
                    f"{config.good_below}, poor otherwise (the investigation's script rule)"
                ),
            },
            "per_group": by_group.to_dict(orient="records"),
        },
    }


def row_errors(reconstruction: Reconstruction) -> pd.DataFrame:
    """Per-row reconstruction errors (the basis for anomaly detection).

    Columns: recon_mae_scaled (mean absolute error over features, scaled space), then per
    feature abs_err_scaled_<f>, true_<f> and pred_<f> (physical units).
    """
    abs_error = np.abs(reconstruction.true_scaled - reconstruction.pred_scaled)
    columns: dict[str, np.ndarray] = {ROW_ERROR_COLUMN: abs_error.mean(axis=1)}
    for i, name in enumerate(reconstruction.features):
        columns[f"abs_err_scaled_{name}"] = abs_error[:, i]
    for i, name in enumerate(reconstruction.features):
        columns[f"true_{name}"] = reconstruction.true_physical[:, i]
    for i, name in enumerate(reconstruction.features):
        columns[f"pred_{name}"] = reconstruction.pred_physical[:, i]
    return pd.DataFrame(columns)
