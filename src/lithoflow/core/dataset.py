"""The binned dataset contract shared by every rule after ingestion.

`results/data/features.parquet` and every split file (`results/splits/{method}/{part}.parquet`) hold
one row per (borehole, depth bin) with these columns, in this order:

- ``borehole_id`` (str, "Exp-Site-Hole"), ``exp``, ``site``, ``hole`` (str)
- ``depth_bin_m`` (float64): bin centre in metres
- ``label`` (str): the lithology (LILY Principal)
- one float64 column per feature, in the dataset's feature order; NaN where the row lacks the
  feature (only with ``ingest.missing_features: keep``: no row lacks every feature)
- ``n_raw_<table>`` (int64): number of raw rows behind the values taken from each table

The feature list is stored in the Parquet metadata (key ``lithoflow``, field ``features``);
later rules read it from there and never assume six features.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lithoflow.core.errors import InputDataError, format_list
from lithoflow.core.io import read_parquet_metadata, write_parquet

ID_COLUMNS: tuple[str, ...] = ("borehole_id", "exp", "site", "hole")
DEPTH_COLUMN = "depth_bin_m"
LABEL_COLUMN = "label"
KEY_COLUMNS: tuple[str, str] = ("borehole_id", DEPTH_COLUMN)
RAW_COUNT_PREFIX = "n_raw_"


@dataclass(frozen=True)
class Dataset:
    """A binned dataset: the rows and the names of its feature columns, in order."""

    frame: pd.DataFrame
    features: tuple[str, ...]
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> pd.Series:
        return self.frame[LABEL_COLUMN]

    @property
    def boreholes(self) -> pd.Series:
        return self.frame["borehole_id"]

    def feature_matrix(self) -> pd.DataFrame:
        """The feature columns only, in the dataset's feature order."""
        return self.frame[list(self.features)]


def check_dataset_frame(
    frame: pd.DataFrame, features: tuple[str, ...], path: str = "<memory>"
) -> None:
    """Raise InputDataError unless `frame` follows the dataset contract for `features`."""
    required = [*ID_COLUMNS, DEPTH_COLUMN, LABEL_COLUMN, *features]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise InputDataError(f"dataset lacks columns {format_list(missing)}", path=path)
    for name in features:
        if not pd.api.types.is_numeric_dtype(frame[name]):
            raise InputDataError("feature column is not numeric", path=path, column=name)
    dup = frame.duplicated(list(KEY_COLUMNS), keep=False)
    if dup.any():
        raise InputDataError(
            "duplicate (borehole_id, depth_bin_m) rows", path=path, examples=frame.loc[dup]
        )


def write_dataset(
    path: str | os.PathLike[str],
    frame: pd.DataFrame,
    features: tuple[str, ...] | list[str],
    metadata: dict[str, Any] | None = None,
) -> None:
    """Write a dataset Parquet atomically, with its feature list in the metadata."""
    features = tuple(features)
    check_dataset_frame(frame, features, str(path))
    meta = dict(metadata or {})
    meta["features"] = list(features)
    write_parquet(path, frame.reset_index(drop=True), meta)


def read_dataset(path: str | os.PathLike[str]) -> Dataset:
    """Read a dataset Parquet written by `write_dataset`."""
    metadata = read_parquet_metadata(path)
    if "features" not in metadata:
        raise InputDataError(
            "not a lithoflow dataset: the Parquet metadata has no feature list", path=str(path)
        )
    features = tuple(metadata["features"])
    frame = pd.read_parquet(path)
    check_dataset_frame(frame, features, str(path))
    return Dataset(frame=frame, features=features, metadata=metadata)
