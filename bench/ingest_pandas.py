"""Ingestion as a pandas user would write it for speed: pyarrow's CSV reader, no Python per bin.

The benchmark's second pandas variant, so that the fast implementation's speed-up is also stated
against idiomatic pandas, not only against the executable specification
(`bench/ingest_reference.py`, which calls ``Series.mode()`` once per bin on the C parser's output):

- ``read_csv(engine="pyarrow")`` with ``usecols`` and string dtypes for the identifiers;
- the bin's means with ``groupby(...).mean()``;
- the modal label without a Python call per bin: count (bin, label) pairs with
  ``value_counts``, sort by count (descending) then label (ascending) and keep each bin's first
  row, i.e. the most frequent label and, on a tie, the alphabetically first (as ``Series.mode``);
- the merge and filters are the reference's (already vectorised).

Its output must equal the reference's (checked by bench/ingest.py and
tests/unit/test_bench_ingest.py). It reads the LILY layout (exp, site, hole columns), which is
what the benchmark reads.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from bench.ingest_reference import reference_merge
from lithoflow.core.dataset import DEPTH_COLUMN, ID_COLUMNS, LABEL_COLUMN
from lithoflow.ingest.config import IngestConfig

KEYS = ["borehole_id", DEPTH_COLUMN]


def idiomatic_bin_table(
    path: str | os.PathLike[str], config: IngestConfig, table: str
) -> pd.DataFrame:
    """Read and bin one LILY table with vectorised pandas (same rows as reference_bin_table)."""
    spec = config.table(table)
    columns = config.columns
    if columns.borehole:
        raise ValueError("the idiomatic pandas variant reads the LILY layout (exp, site, hole)")
    ids = {columns.exp: "exp", columns.site: "site", columns.hole: "hole"}
    raw = pd.read_csv(
        path,
        engine="pyarrow",
        usecols=[*ids, columns.depth, columns.label, *spec.raw_columns],
        dtype={**dict.fromkeys([*ids, columns.label], "str"), columns.depth: "float64"},
    )
    renames = {**ids, columns.depth: "depth_m", columns.label: LABEL_COLUMN}
    renames.update({column: feature for feature, column in spec.features})
    frame = raw.rename(columns=renames)
    features = list(spec.feature_names)
    frame[features] = frame[features].astype("float64")
    frame["borehole_id"] = frame["exp"] + "-" + frame["site"] + "-" + frame["hole"]
    frame = frame.dropna(subset=["borehole_id", "depth_m", LABEL_COLUMN, *features])
    # "+ 0.0" turns a -0.0 key (depths in (-bin/2, 0)) into 0.0, the same bin as depth 0.
    size = config.bin_size_m
    frame[DEPTH_COLUMN] = np.round(frame["depth_m"] / size) * size + 0.0

    grouped = frame.groupby(KEYS, sort=True)
    out = grouped[features].mean()
    out[spec.count_column] = grouped.size().astype(np.int64)
    out[["exp", "site", "hole"]] = grouped[["exp", "site", "hole"]].first()
    label_counts = frame.value_counts([*KEYS, LABEL_COLUMN], sort=False).reset_index(name="n")
    modal = label_counts.sort_values(
        [*KEYS, "n", LABEL_COLUMN], ascending=[True, True, False, True]
    ).drop_duplicates(KEYS)
    out[LABEL_COLUMN] = modal.set_index(KEYS)[LABEL_COLUMN]
    out = out.reset_index()
    return out[[*ID_COLUMNS, DEPTH_COLUMN, LABEL_COLUMN, *features, spec.count_column]]


def idiomatic_ingest(
    paths: Mapping[str, str | os.PathLike[str]], config: IngestConfig
) -> pd.DataFrame:
    """Bin every configured table from `paths` (table -> file) idiomatically, then merge."""
    binned = {name: idiomatic_bin_table(paths[name], config, name) for name in config.table_names}
    return reference_merge(binned, config)
