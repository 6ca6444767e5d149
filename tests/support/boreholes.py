"""Builders of synthetic borehole datasets for the split, distribution and mismatch tests.

The structure mimics the LILY 6-feature set (docs/calibration.md §5-6) at a smaller size: many
boreholes of lognormal size, each dominated by one or two common lithologies, a band of
mid-frequency classes in a handful of boreholes, and many rare classes confined to one or two
boreholes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from lithoflow.core.dataset import write_dataset

FEATURES: tuple[str, ...] = ("GRA", "MS")


def synthetic_counts(
    n_boreholes: int = 120,
    n_common: int = 8,
    n_mid: int = 20,
    n_rare: int = 40,
    mean_rows: float = 250.0,
    seed: int = 0,
) -> pd.DataFrame:
    """Rows per (borehole, class), long format: columns borehole_id, label, count."""
    rng = np.random.default_rng(seed)
    common = [f"common_{i:02d}" for i in range(n_common)]
    zipf = 1.0 / np.arange(1, n_common + 1) ** 1.2
    zipf /= zipf.sum()
    sizes = np.maximum(10, rng.lognormal(np.log(mean_rows) - 0.5, 1.0, n_boreholes)).astype(int)
    records: list[tuple[str, str, int]] = []
    boreholes = [f"{300 + i // 10}-U{1300 + i}-A" for i in range(n_boreholes)]
    for borehole, size in zip(boreholes, sizes, strict=True):
        n_dominant = int(rng.integers(1, 3))
        chosen = rng.choice(n_common, size=n_dominant + 2, replace=False, p=zipf)
        weights = np.concatenate([rng.uniform(3, 10, n_dominant), rng.uniform(0.1, 1, 2)])
        alloc = rng.multinomial(int(size), weights / weights.sum())
        records += [(borehole, common[c], int(k)) for c, k in zip(chosen, alloc, strict=True) if k]
    for i in range(n_mid):
        holders = rng.choice(n_boreholes, size=int(rng.integers(3, 7)), replace=False)
        records += [(boreholes[b], f"mid_{i:02d}", int(rng.integers(20, 200))) for b in holders]
    for i in range(n_rare):
        holders = rng.choice(n_boreholes, size=int(rng.integers(1, 3)), replace=False)
        records += [(boreholes[b], f"rare_{i:02d}", int(rng.integers(1, 40))) for b in holders]
    frame = pd.DataFrame(records, columns=["borehole_id", "label", "count"])
    return frame.groupby(["borehole_id", "label"], as_index=False)["count"].sum()


def expand_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per counted item: columns borehole_id, label (sorted by borehole)."""
    repeated = counts.loc[counts.index.repeat(counts["count"]), ["borehole_id", "label"]]
    return repeated.sort_values("borehole_id", kind="mergesort").reset_index(drop=True)


def dataset_frame(labels: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """A frame following the dataset contract from columns borehole_id, label."""
    rng = np.random.default_rng(seed)
    frame = labels[["borehole_id", "label"]].sort_values("borehole_id", kind="mergesort")
    frame = frame.reset_index(drop=True)
    pieces = frame["borehole_id"].str.split("-", expand=True)
    hole = frame["borehole_id"].str.rsplit("-", n=1).str[-1]
    out = pd.DataFrame(
        {
            "borehole_id": frame["borehole_id"],
            "exp": pieces[0],
            "site": pieces[1],
            "hole": hole,
            "depth_bin_m": frame.groupby("borehole_id").cumcount() * 0.2 + 0.1,
            "label": frame["label"],
        }
    )
    for name in FEATURES:
        out[name] = rng.normal(size=len(out))
    out["n_raw_GRA"] = np.int64(1)
    return out


def write_synthetic_dataset(path, labels: pd.DataFrame, metadata: Mapping | None = None) -> None:
    """Write `labels` (borehole_id, label) as a contract-following features.parquet."""
    write_dataset(path, dataset_frame(labels), FEATURES, dict(metadata or {"source": "test"}))


def labels_frame(rows: Sequence[tuple[str, str, int]]) -> pd.DataFrame:
    """A borehole_id/label frame from (borehole, label, count) triples."""
    counts = pd.DataFrame(list(rows), columns=["borehole_id", "label", "count"])
    return expand_counts(counts)
