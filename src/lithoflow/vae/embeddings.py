"""VAE embeddings table: μ for every row of the dataset, with its split part, and its readers.

`embeddings.parquet` has columns borehole_id, depth_bin_m, label, split (train | val | test of the
VAE's split method, or "none" for a row in no part), mu_0..mu_{k-1}. Its Parquet metadata records
the VAE name, split method and train_on, so consumers can tell which boreholes the VAE saw. μ is
NaN for a row the VAE did not encode because a feature was missing there.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
import pandas as pd
import torch

from lithoflow.core.dataset import DEPTH_COLUMN, KEY_COLUMNS, LABEL_COLUMN
from lithoflow.core.errors import InputDataError, format_list
from lithoflow.core.io import read_parquet_metadata, write_parquet

log = logging.getLogger(__name__)

LATENT_PREFIX = "mu_"
SPLIT_COLUMN = "split"
NO_PART = "none"
PARTS: tuple[str, ...] = ("train", "val", "test")


class Encoder(Protocol):
    def encode_mu(self, x: torch.Tensor) -> torch.Tensor: ...


def latent_columns(latent_dim: int) -> list[str]:
    """Column names of the latent means: mu_0 .. mu_{k-1}."""
    return [f"{LATENT_PREFIX}{i}" for i in range(latent_dim)]


@torch.no_grad()
def encode_in_batches(
    model: Encoder,
    x_scaled: np.ndarray,
    device: torch.device | str = "cpu",
    batch_rows: int = 65536,
) -> np.ndarray:
    """μ of every row of `x_scaled` (rows × features, model space), as float64."""
    chunks = []
    for start in range(0, x_scaled.shape[0], batch_rows):
        batch = torch.from_numpy(np.array(x_scaled[start : start + batch_rows], dtype=np.float32))
        chunks.append(model.encode_mu(batch.to(device)).cpu().numpy())
    if not chunks:
        return np.zeros((0, 0))
    return np.concatenate(chunks).astype(np.float64)


def assign_split(frame: pd.DataFrame, parts: Mapping[str, pd.DataFrame]) -> np.ndarray:
    """The split part (train/val/test) of each row of `frame`, "none" for rows in no part.

    Raises InputDataError if a part holds a row that is not in `frame` or a row is in two parts.
    """
    keys = frame[list(KEY_COLUMNS)].reset_index(drop=True)
    labelled = []
    for part, part_frame in parts.items():
        part_keys = part_frame[list(KEY_COLUMNS)].copy()
        part_keys[SPLIT_COLUMN] = part
        labelled.append(part_keys)
    all_parts = pd.concat(labelled, ignore_index=True)
    duplicated = all_parts.duplicated(list(KEY_COLUMNS), keep=False)
    if duplicated.any():
        raise InputDataError(
            "rows belong to more than one split part", examples=all_parts.loc[duplicated]
        )
    merged = keys.merge(all_parts, on=list(KEY_COLUMNS), how="left", validate="one_to_one")
    unknown = all_parts.merge(keys, on=list(KEY_COLUMNS), how="left", indicator=True)
    unknown = unknown.loc[unknown["_merge"] == "left_only", [*KEY_COLUMNS, SPLIT_COLUMN]]
    if len(unknown):
        raise InputDataError(
            f"{len(unknown)} split rows are not in the features table "
            "(was the split built from another dataset?)",
            examples=unknown,
        )
    split = merged[SPLIT_COLUMN].fillna(NO_PART).to_numpy(dtype=object)
    n_none = int((split == NO_PART).sum())
    if n_none:
        log.warning("%d of %d rows are in no split part (split = %r)", n_none, len(split), NO_PART)
    return split


def embeddings_frame(frame: pd.DataFrame, split: np.ndarray, mu: np.ndarray) -> pd.DataFrame:
    """The embeddings table: keys, label, split part and one column per latent mean."""
    table = pd.DataFrame(
        {
            "borehole_id": frame["borehole_id"].to_numpy(),
            DEPTH_COLUMN: frame[DEPTH_COLUMN].to_numpy(dtype=np.float64),
            LABEL_COLUMN: frame[LABEL_COLUMN].to_numpy(),
            SPLIT_COLUMN: np.asarray(split, dtype=object),
        }
    )
    latent = pd.DataFrame(mu, columns=latent_columns(mu.shape[1]))
    return pd.concat([table, latent], axis=1)


def write_embeddings(
    path: str | os.PathLike[str], table: pd.DataFrame, metadata: Mapping[str, Any]
) -> None:
    """Write the embeddings table atomically, with VAE metadata (name, split, train_on)."""
    write_parquet(path, table, dict(metadata))


def read_embeddings(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The embeddings table and its metadata; checks the columns."""
    metadata = read_parquet_metadata(path)
    table = pd.read_parquet(path)
    required = [*KEY_COLUMNS, LABEL_COLUMN, SPLIT_COLUMN]
    missing = [c for c in required if c not in table.columns]
    columns = metadata.get("latent_columns") or [
        c for c in table.columns if c.startswith(LATENT_PREFIX)
    ]
    if missing or not columns:
        raise InputDataError(
            f"not an embeddings table: missing {format_list(missing or ['mu_*'])}", path=str(path)
        )
    metadata["latent_columns"] = list(columns)
    return table, metadata


def vae_training_boreholes(table: pd.DataFrame, metadata: Mapping[str, Any]) -> set[str]:
    """Boreholes whose rows the VAE (and its scaler, if fitted alike) was trained on."""
    if metadata.get("train_on") == "all":
        return set(table["borehole_id"])
    return set(table.loc[table[SPLIT_COLUMN] == "train", "borehole_id"])


def join_embeddings(
    part: pd.DataFrame,
    table: pd.DataFrame,
    columns: list[str],
    path: str | os.PathLike[str] = "<embeddings>",
) -> np.ndarray:
    """The latent means of each row of `part` (same order).

    Every row must have a row in the embeddings table (InputDataError otherwise). Its μ may be NaN:
    the VAE leaves rows with a missing feature unencoded (``ingest.missing_features: keep``), and
    the classifier run's ``missing`` setting decides what happens to them.
    """
    keys = part[list(KEY_COLUMNS)].reset_index(drop=True)
    merged = keys.merge(
        table[[*KEY_COLUMNS, *columns]],
        on=list(KEY_COLUMNS),
        how="left",
        validate="one_to_one",
        indicator=True,
    )
    absent = (merged["_merge"] != "both").to_numpy()
    if absent.any():
        raise InputDataError(
            f"{int(absent.sum())} rows have no VAE embedding (was the VAE built on another "
            "dataset?)",
            path=str(path),
            examples=keys.loc[absent],
        )
    mu = merged[columns].to_numpy(dtype=np.float64)
    unencoded = int(np.isnan(mu).any(axis=1).sum())
    if unencoded:
        log.info(
            "%d of %d rows have NaN mu (a feature was missing, so the VAE did not encode them)",
            unencoded,
            len(mu),
        )
    return mu
