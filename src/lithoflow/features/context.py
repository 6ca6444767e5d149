"""Depth context features: what surrounds each row along its borehole (features only, no labels).

For each input column x (a raw feature or a VAE latent), per borehole in depth order and never
across a depth gap larger than `max_gap_m` (see `along_depth`):

- ``{x}_above{k}`` / ``{x}_below{k}``: value k rows above (shallower) / below, k = 1..neighbours;
- ``{x}_grad_above{k}`` / ``{x}_grad_below{k}``: x minus that neighbour (when `gradients`);
- ``{x}_mean{w}m`` / ``{x}_std{w}m``: mean and (population) standard deviation of the rows within
  ±w/2 metres, for each window w in `windows_m` (the row itself included);
- ``{x}_borehole_z``: x minus its borehole's median, over its interquartile range, for the
  columns in `borehole_normalised` (a well-level baseline removed, e.g. of gamma ray);
- ``depth_m``: the depth itself (when `include_depth`).

Edges invent nothing: a neighbour that does not exist (top or bottom of a segment) is missing, and
a window holds only the rows that exist. Labels are never read.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.core.dataset import DEPTH_COLUMN, KEY_COLUMNS
from lithoflow.core.errors import InputDataError, format_list
from lithoflow.core.io import read_parquet_metadata, write_parquet
from lithoflow.core.typed import build
from lithoflow.features.along_depth import depth_order, shifted, window_bounds, window_sums

log = logging.getLogger(__name__)

DEPTH_FEATURE = "depth_m"
NORMALISED_SUFFIX = "_borehole_z"
RAW_SOURCE = "raw"


@dataclass(frozen=True)
class ContextConfig:
    """One `context.sets` entry: which context features to build and the gap tolerance."""

    neighbours: int
    gradients: bool
    windows_m: tuple[float, ...]
    include_depth: bool
    max_gap_m: float
    borehole_normalised: tuple[str, ...] = ()
    # The input columns to build context for (None: all of them). Inputs that are constant
    # along a well (its coordinates, say) have no neighbours or windows worth a column.
    columns: tuple[str, ...] | None = None

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> ContextConfig:
        """Build from one validated config entry."""
        config = build(cls, section, "context.sets")
        # An empty list of columns means all inputs, as an absent key does.
        return replace(config, columns=config.columns or None)

    def select_columns(self, available: Sequence[str], path: str) -> list[str]:
        """The inputs of `available` to build context for: `columns` (in their order), or all.

        Raises InputDataError naming the file if `columns` names an input it does not have.
        """
        if self.columns is None:
            return list(available)
        unknown = [c for c in self.columns if c not in available]
        if unknown:
            raise InputDataError(
                f"context columns {format_list(unknown)} are not among the inputs "
                f"{format_list(available)}",
                path=path,
            )
        return list(self.columns)

    def column_names(self, columns: Sequence[str]) -> list[str]:
        """The names of the context columns built for `columns`, in output order."""
        names: list[str] = []
        for column in columns:
            for k in range(1, self.neighbours + 1):
                names += [f"{column}_above{k}", f"{column}_below{k}"]
                if self.gradients:
                    names += [f"{column}_grad_above{k}", f"{column}_grad_below{k}"]
            for window in self.windows_m:
                tag = _window_tag(window)
                names += [f"{column}_mean{tag}m", f"{column}_std{tag}m"]
        names += [f"{c}{NORMALISED_SUFFIX}" for c in self.borehole_normalised if c in columns]
        if self.include_depth:
            names.append(DEPTH_FEATURE)
        return names


def _window_tag(window_m: float) -> str:
    """'2' for 2.0, '0.6' for 0.6: the window as written in column names."""
    return f"{window_m:g}"


def context_features(
    frame: pd.DataFrame, columns: Sequence[str], config: ContextConfig
) -> pd.DataFrame:
    """The context columns of `frame` (same index, same row order), from `columns` only.

    `frame` needs ``borehole_id``, ``depth_bin_m`` and `columns`; nothing else is read.
    """
    along = depth_order(frame["borehole_id"], frame[DEPTH_COLUMN].to_numpy(), config.max_gap_m)
    values = along.to_sorted(frame[list(columns)].to_numpy(dtype=np.float64))
    out: dict[str, np.ndarray] = {}
    bounds = [window_bounds(along, w / 2.0) for w in config.windows_m]
    window_stats = []
    for lo, hi in bounds:
        count, total, squares = window_sums(along, values, lo, hi)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / count
            var = np.maximum(squares / count - mean * mean, 0.0)
        window_stats.append((mean, np.sqrt(var)))
    for j, column in enumerate(columns):
        x = values[:, j]
        for k in range(1, config.neighbours + 1):
            above, below = shifted(along, x, k), shifted(along, x, -k)
            out[f"{column}_above{k}"] = above
            out[f"{column}_below{k}"] = below
            if config.gradients:
                out[f"{column}_grad_above{k}"] = x - above
                out[f"{column}_grad_below{k}"] = x - below
        for window, (mean, std) in zip(config.windows_m, window_stats, strict=True):
            tag = _window_tag(window)
            out[f"{column}_mean{tag}m"] = mean[:, j]
            out[f"{column}_std{tag}m"] = std[:, j]
    for column in config.borehole_normalised:
        if column in columns:
            out[f"{column}{NORMALISED_SUFFIX}"] = borehole_normalised(
                frame["borehole_id"], frame[column]
            ).to_numpy()[along.order]
    if config.include_depth:
        out[DEPTH_FEATURE] = along.depth.copy()
    names = config.column_names(columns)
    restored = {name: along.to_original(out[name]) for name in names}
    return pd.DataFrame(restored, index=frame.index)


def borehole_normalised(boreholes: pd.Series, values: pd.Series) -> pd.Series:
    """(x − the borehole's median) / the borehole's interquartile range, per borehole.

    Removes what differs between wells as a whole (tool calibration, a gamma-ray baseline) and
    keeps what varies along each well. A borehole with no spread gets 0; missing stays missing.
    """
    grouped = values.groupby(boreholes.to_numpy())
    median = grouped.transform("median")
    spread = grouped.transform(lambda v: v.quantile(0.75) - v.quantile(0.25))
    return ((values - median) / spread.where(spread > 0)).where(values.isna() | (spread > 0), 0.0)


def context_table(
    frame: pd.DataFrame, columns: Sequence[str], config: ContextConfig
) -> pd.DataFrame:
    """Keys (``borehole_id``, ``depth_bin_m``) and the context columns of every row of `frame`."""
    keys = frame[list(KEY_COLUMNS)].reset_index(drop=True)
    features = context_features(frame.reset_index(drop=True), columns, config)
    return pd.concat([keys, features], axis=1)


def write_context_table(
    path: str | os.PathLike[str],
    table: pd.DataFrame,
    source: str,
    columns: Sequence[str],
    config: ContextConfig,
) -> None:
    """Write a context table; its metadata names the source, input columns and context columns."""
    context_columns = [c for c in table.columns if c not in KEY_COLUMNS]
    write_parquet(
        path,
        table,
        {
            "source": source,
            "input_columns": list(columns),
            "context_columns": context_columns,
            "settings": asdict(config) | {"windows_m": list(config.windows_m)},
        },
    )


def read_context_table(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, list[str]]:
    """(table, context column names) of a file written by `write_context_table`."""
    metadata = read_parquet_metadata(path)
    if "context_columns" not in metadata:
        raise InputDataError("not a lithoflow context table (no context_columns)", path=str(path))
    return pd.read_parquet(path), list(metadata["context_columns"])


def join_context(
    frame: pd.DataFrame, table: pd.DataFrame, columns: Sequence[str], path: str
) -> np.ndarray:
    """The context columns of the rows of `frame` (matched on the keys), in `frame`'s order.

    Raises InputDataError, with examples, if a row of `frame` has no context row.
    """
    keyed = frame[list(KEY_COLUMNS)].merge(
        table[[*KEY_COLUMNS, *columns]], on=list(KEY_COLUMNS), how="left", indicator=True
    )
    missing = keyed["_merge"] != "both"
    if missing.any():
        raise InputDataError(
            f"{int(missing.sum())} rows have no depth context row",
            path=path,
            examples=keyed.loc[missing, list(KEY_COLUMNS)],
        )
    return keyed[list(columns)].to_numpy(dtype=np.float64)


def build_context_file(
    source_path: str | os.PathLike[str],
    output_path: str | os.PathLike[str],
    source: str,
    config: ContextConfig,
    unlabelled_path: str | os.PathLike[str] | None = None,
) -> list[str]:
    """Rule depth_context: the context table of a dataset (source "raw") or of a VAE's embeddings.

    Returns the context column names. The input columns are the dataset's features, or the latent
    columns recorded in the embeddings' metadata (or those of them `config.columns` names).
    """
    metadata = read_parquet_metadata(source_path)
    if source == RAW_SOURCE:
        if "features" not in metadata:
            raise InputDataError("not a lithoflow dataset (no feature list)", path=str(source_path))
        columns = list(metadata["features"])
    else:
        if "latent_columns" not in metadata:
            raise InputDataError("not a lithoflow embeddings table", path=str(source_path))
        columns = list(metadata["latent_columns"])
    columns = config.select_columns(columns, str(source_path))
    frame = pd.read_parquet(source_path, columns=[*KEY_COLUMNS, *columns])
    if unlabelled_path is not None:
        # The log's unlabelled bins: neighbours and windows see the whole log, as they do when a
        # trained run is applied to a new borehole.
        extra = pd.read_parquet(unlabelled_path, columns=[*KEY_COLUMNS, *columns])
        if len(extra):
            frame = pd.concat([frame, extra], ignore_index=True)
            log.info("depth context of %s also reads %d unlabelled bins", source, len(extra))
    table = context_table(frame, columns, config)
    write_context_table(output_path, table, source, columns, config)
    names = [c for c in table.columns if c not in KEY_COLUMNS]
    log.info(
        "depth context of %s: %d rows, %d columns from %d inputs",
        source,
        len(table),
        len(names),
        len(columns),
    )
    return names
