"""Lithologies as points: the centroid of each lithology's rows, and Ward clustering of them.

The hierarchy validation (`lithoflow.validation.hierarchy`) and the data-driven hierarchy
(`lithoflow.hierarchy.data_driven`) both cluster lithology centroids: the per-dimension median
of each lithology's rows, in the VAE's latent space (the ``mu_<i>`` columns of an embeddings
table) or in the scaled feature space.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import linkage
from sklearn.cluster import AgglomerativeClustering

from lithoflow.core.errors import InputDataError

log = logging.getLogger(__name__)

LABEL_COLUMN = "label"


MU_PREFIX = "mu_"


def mu_columns(frame: pd.DataFrame) -> list[str]:
    """The frame's `mu_<i>` columns in dimension order (mu_2 before mu_10)."""
    found = [c for c in frame.columns if c.startswith(MU_PREFIX) and c[len(MU_PREFIX) :].isdigit()]
    return sorted(found, key=lambda c: int(c[len(MU_PREFIX) :]))


def embedding_matrix(embeddings: pd.DataFrame, path: str = "<memory>") -> np.ndarray:
    """The μ columns of an embeddings table as an (n_rows, k) float array, in dimension order."""
    columns = mu_columns(embeddings)
    if not columns:
        raise InputDataError("embeddings have no mu_<i> columns", path=path)
    mu = embeddings[columns].to_numpy(dtype=float)
    bad = ~np.isfinite(mu).all(axis=1)
    if bad.any():
        raise InputDataError(
            f"{int(bad.sum())} embedding rows hold non-finite mu values",
            path=path,
            examples=embeddings.loc[bad],
        )
    return mu


def encoded_rows(embeddings: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The embedding rows whose μ is present, and how many rows had NaN μ and were left out.

    The VAE gives NaN μ to rows lacking a feature (``ingest.missing_features: keep``); centroids
    come from the other rows. A left-out count is logged.
    """
    columns = mu_columns(embeddings)
    present = embeddings[columns].notna().all(axis=1).to_numpy()
    n_left_out = int((~present).sum())
    if n_left_out:
        log.warning(
            "%d of %d embedding rows have NaN mu (a feature was missing) and are left out",
            n_left_out,
            len(embeddings),
        )
    return embeddings.loc[present].reset_index(drop=True), n_left_out


def lithology_centroids(mu: np.ndarray, labels: Sequence[str] | pd.Series) -> pd.DataFrame:
    """Per-dimension median of μ for each lithology: columns label, n_rows, mu_0..mu_{k-1}.

    Rows are sorted by label so the result does not depend on row order.
    """
    mu = np.asarray(mu, dtype=float)
    labels = pd.Series(np.asarray(labels, dtype=object), name=LABEL_COLUMN).astype(str)
    if mu.ndim != 2 or len(mu) != len(labels):
        raise ValueError(f"mu must be (n_rows, k) with n_rows = {len(labels)}, got {mu.shape}")
    columns = [f"{MU_PREFIX}{i}" for i in range(mu.shape[1])]
    frame = pd.DataFrame(mu, columns=columns)
    frame[LABEL_COLUMN] = labels.to_numpy()
    grouped = frame.groupby(LABEL_COLUMN, sort=True)
    centroids = grouped[columns].median()
    centroids.insert(0, "n_rows", grouped.size().astype("int64"))
    return centroids.reset_index()


def ward_clusters(points: np.ndarray, n_clusters: int) -> np.ndarray:
    """Ward agglomerative clustering of `points` (one unweighted point each) into `n_clusters`."""
    points = np.asarray(points, dtype=float)
    if not 1 <= n_clusters <= len(points):
        raise ValueError(f"n_clusters must be in [1, {len(points)}], got {n_clusters}")
    if n_clusters == len(points):
        return np.arange(len(points))
    model = AgglomerativeClustering(n_clusters=n_clusters, linkage="ward")
    return model.fit_predict(points)


def ward_linkage(points: np.ndarray) -> np.ndarray:
    """Scipy's Ward linkage matrix of `points` (for the dendrogram); empty for a single point."""
    points = np.asarray(points, dtype=float)
    if len(points) < 2:
        return np.empty((0, 4))
    return linkage(points, method="ward", metric="euclidean")
