"""A deliberately straightforward pandas implementation of the ingestion recipe.

This is the executable specification the fast implementation (`lithoflow.ingest.tables`,
`lithoflow.ingest.merge`) is tested and benchmarked against: ``read_csv`` with ``usecols``,
``dropna``, ``groupby(...).mean()`` and a per-group ``Series.mode()``, the investigation's steps
(docs/investigation.md §1). It favours clarity over speed; the workflow never calls it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from lithoflow.core.dataset import DEPTH_COLUMN, ID_COLUMNS, LABEL_COLUMN
from lithoflow.ingest.config import IngestConfig, TableSpec


def _first_mode(labels: pd.Series) -> str:
    # Series.mode() returns the modes sorted, so a tie goes to the alphabetically first label.
    return labels.mode().iloc[0]


def reference_bin_frame(
    frame: pd.DataFrame, features: Sequence[str], bin_size_m: float, count_column: str
) -> pd.DataFrame:
    """Bin a frame with columns borehole_id, exp, site, hole, depth_m, label and `features`."""
    frame = frame.dropna(subset=["borehole_id", "depth_m", LABEL_COLUMN, *features])
    # "+ 0.0" turns a -0.0 key (depths in (-bin/2, 0)) into 0.0, the same bin as depth 0.
    centres = np.round(frame["depth_m"] / bin_size_m) * bin_size_m + 0.0
    frame = frame.assign(**{DEPTH_COLUMN: centres})
    grouped = frame.groupby(["borehole_id", DEPTH_COLUMN], sort=True)
    out = grouped[list(features)].mean()
    out[LABEL_COLUMN] = grouped[LABEL_COLUMN].agg(_first_mode)
    out[count_column] = grouped.size().astype(np.int64)
    for part in ("exp", "site", "hole"):
        out[part] = grouped[part].first()
    out = out.reset_index()
    return out[[*ID_COLUMNS, DEPTH_COLUMN, LABEL_COLUMN, *features, count_column]]


def reference_read_table(
    path: str | os.PathLike[str], config: IngestConfig, spec: TableSpec
) -> pd.DataFrame:
    """Read one raw table with pandas: borehole_id, exp, site, hole, depth_m, label, features."""
    columns = config.columns
    if columns.borehole:
        usecols = [columns.borehole, columns.depth, columns.label, *spec.raw_columns]
        if str(path).lower().endswith((".parquet", ".pq")):
            raw = pd.read_parquet(path, columns=usecols)
        else:
            raw = pd.read_csv(
                path, usecols=usecols, dtype={columns.borehole: str, columns.label: str}
            )
        ids = raw[columns.borehole].astype(str).where(raw[columns.borehole].notna())
        parts = ids.str.split("-", expand=False)
        shaped = parts.map(lambda p: isinstance(p, list) and len(p) == 3 and all(p))
        frame = pd.DataFrame({"borehole_id": ids})
        for k, part in enumerate(("exp", "site", "hole")):
            frame[part] = [p[k] if ok else "" for p, ok in zip(parts, shaped, strict=True)]
    else:
        usecols = [columns.exp, columns.site, columns.hole, columns.depth, columns.label]
        usecols += list(spec.raw_columns)
        raw = pd.read_csv(
            path,
            usecols=usecols,
            dtype={columns.exp: str, columns.site: str, columns.hole: str, columns.label: str},
        )
        frame = pd.DataFrame(
            {
                "exp": raw[columns.exp],
                "site": raw[columns.site],
                "hole": raw[columns.hole],
            }
        )
        frame["borehole_id"] = frame["exp"] + "-" + frame["site"] + "-" + frame["hole"]
    frame["depth_m"] = raw[columns.depth].astype(np.float64)
    frame[LABEL_COLUMN] = raw[columns.label]
    for feature, column in spec.features:
        frame[feature] = raw[column].astype(np.float64)
    return frame


def reference_bin_table(
    path: str | os.PathLike[str], config: IngestConfig, table: str
) -> pd.DataFrame:
    """Read and bin one table the straightforward way."""
    spec = config.table(table)
    frame = reference_read_table(path, config, spec)
    return reference_bin_frame(frame, spec.feature_names, config.bin_size_m, spec.count_column)


def reference_merge(binned: Mapping[str, pd.DataFrame], config: IngestConfig) -> pd.DataFrame:
    """Inner-join binned tables in config order, label from the label table, then filter."""
    keys = ["borehole_id", DEPTH_COLUMN]
    merged = None
    for spec in config.tables:
        take = [*spec.feature_names, spec.count_column]
        if spec.name == config.label_table:
            take.append(LABEL_COLUMN)
        frame = binned[spec.name]
        if merged is None:
            merged = frame[[*ID_COLUMNS, DEPTH_COLUMN, *take]]
        else:
            merged = merged.merge(frame[[*keys, *take]], on=keys, how="inner")
    assert merged is not None
    merged = merged.dropna()
    for rule in config.filters:
        merged = merged[merged[rule.feature].between(rule.minimum, rule.maximum)]
    counts = [spec.count_column for spec in config.tables]
    columns = [*ID_COLUMNS, DEPTH_COLUMN, LABEL_COLUMN, *config.features, *counts]
    return merged.sort_values(keys)[columns].reset_index(drop=True)


def reference_ingest(
    paths: Mapping[str, str | os.PathLike[str]], config: IngestConfig
) -> pd.DataFrame:
    """The whole recipe: bin every configured table from `paths` (table -> file), then merge."""
    binned = {name: reference_bin_table(paths[name], config, name) for name in config.table_names}
    return reference_merge(binned, config)
