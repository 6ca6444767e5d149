"""Does the VAE's latent space agree with the expert lithology hierarchy? (docs/investigation.md §8)

Each lithology becomes one point, the per-dimension median of its rows' μ (its centroid). Ward
clustering of the centroids into as many clusters as there are groups is compared with the expert
groups by the adjusted Rand index; each group's coherence is the mean pairwise Euclidean distance
between its member centroids. The investigation's script for this never ran successfully (§11.A.2),
so there is no reference number to reproduce.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.spatial.distance import pdist
from sklearn.metrics import adjusted_rand_score

from lithoflow.core.config import bands_problem, raise_if
from lithoflow.core.errors import InputDataError, format_list
from lithoflow.hierarchy.centroids import (
    LABEL_COLUMN,
    lithology_centroids,
    mu_columns,
    ward_clusters,
    ward_linkage,
)

log = logging.getLogger(__name__)

# ARI verdict thresholds of the investigation's script (docs/investigation.md §8, step 5).
ARI_STRONG_ABOVE = 0.5
ARI_MODERATE_ABOVE = 0.2

ARI_NOTE = (
    "The adjusted Rand index compares two partitions of the lithology centroids (Ward clusters vs "
    "expert groups), corrected for chance: 0 is what random clusters give, 1 is identical "
    "partitions, and it can be negative. It is not a percentage of labels that agree and says "
    "nothing directly about attainable classification accuracy (docs/investigation.md "
    "§11.A.8). Each lithology counts once, whatever its number of rows."
)


@dataclass(frozen=True)
class HierarchyValidationConfig:
    """Coherence bands: tight below `tight_below`, moderate below `moderate_below`, else loose."""

    tight_below: float
    moderate_below: float

    def __post_init__(self) -> None:
        raise_if(
            bands_problem([self.tight_below, self.moderate_below]), "validation.coherence_bands"
        )

    @classmethod
    def from_config(cls, validation: Mapping[str, Any]) -> HierarchyValidationConfig:
        """Build from the config's `validation` section."""
        tight, moderate = validation["coherence_bands"]
        return cls(tight_below=float(tight), moderate_below=float(moderate))


@dataclass(frozen=True)
class HierarchyValidation:
    """Everything the hierarchy validation found, ready to be written."""

    centroids: pd.DataFrame  # label, group, n_rows, cluster, mu_0..mu_{k-1}
    ari: float
    verdict: str
    n_clusters: int
    coherence: pd.DataFrame  # group, n_labels, mean_pairwise_distance, coherence
    excluded_from_coherence: tuple[str, ...]  # groups with a single lithology
    linkage_matrix: np.ndarray  # scipy Ward linkage of the centroids, for the dendrogram
    config: HierarchyValidationConfig

    @property
    def mu_columns(self) -> list[str]:
        return mu_columns(self.centroids)

    def summary(self, **extra: Any) -> dict[str, Any]:
        """A JSON-ready summary (with the dendrogram's linkage) plus any `extra` fields."""
        groups = sorted(self.centroids["group"].unique())
        payload: dict[str, Any] = {
            "adjusted_rand_index": float(self.ari),
            "verdict": self.verdict,
            "verdict_rule": (
                f"strong if ARI > {ARI_STRONG_ABOVE}, moderate if ARI > {ARI_MODERATE_ABOVE}, "
                "poor otherwise"
            ),
            "note": ARI_NOTE,
            "method": (
                "centroid = per-dimension median of mu per lithology; Ward agglomerative "
                "clustering of the centroids (one unweighted point each) into n_clusters = number "
                "of expert groups present; ARI of clusters vs expert groups"
            ),
            "n_lithologies": len(self.centroids),
            "n_groups": len(groups),
            "n_clusters": self.n_clusters,
            "n_rows": int(self.centroids["n_rows"].sum()),
            "latent_dimensions": len(self.mu_columns),
            "groups": groups,
            "coherence_bands": {
                "tight_below": self.config.tight_below,
                "moderate_below": self.config.moderate_below,
            },
            "coherence": self.coherence.to_dict(orient="records"),
            "excluded_from_coherence": {
                "groups": list(self.excluded_from_coherence),
                "reason": "a group with a single lithology has no pairwise distance",
            },
            "dendrogram": {
                "labels": self.centroids[LABEL_COLUMN].tolist(),
                "groups": self.centroids["group"].tolist(),
                "clusters": self.centroids["cluster"].astype(int).tolist(),
                "linkage": self.linkage_matrix.tolist(),
                "linkage_method": "ward (scipy), Euclidean distances between centroids",
            },
        }
        payload.update(extra)
        return payload


def ari_verdict(ari: float) -> str:
    """The investigation's verdict: strong above 0.5, moderate above 0.2, else poor."""
    if ari > ARI_STRONG_ABOVE:
        return "strong"
    if ari > ARI_MODERATE_ABOVE:
        return "moderate"
    return "poor"


def coherence_band(distance: float, config: HierarchyValidationConfig) -> str:
    """tight below config.tight_below, moderate below config.moderate_below, loose otherwise."""
    if distance < config.tight_below:
        return "tight"
    if distance < config.moderate_below:
        return "moderate"
    return "loose"


def group_coherence(
    points: np.ndarray, groups: Sequence[str] | pd.Series, config: HierarchyValidationConfig
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Mean pairwise Euclidean distance between the member points of each group.

    Groups with at least two members get a row (sorted from tightest to loosest); groups with a
    single member have no pairwise distance and are returned separately, by name.
    """
    points = np.asarray(points, dtype=float)
    groups = np.asarray(groups, dtype=object).astype(str)
    rows = []
    singletons = []
    for group in sorted({str(g) for g in groups}):
        members = points[groups == group]
        if len(members) < 2:
            singletons.append(group)
            continue
        distance = float(pdist(members, metric="euclidean").mean())
        rows.append(
            {
                "group": group,
                "n_labels": len(members),
                "mean_pairwise_distance": distance,
                "coherence": coherence_band(distance, config),
            }
        )
    columns = ["group", "n_labels", "mean_pairwise_distance", "coherence"]
    table = pd.DataFrame(rows, columns=columns)
    table = table.sort_values(["mean_pairwise_distance", "group"], kind="stable")
    return table.reset_index(drop=True), tuple(singletons)


def validate_hierarchy(
    mu: np.ndarray,
    labels: pd.Series,
    groups: pd.Series,
    config: HierarchyValidationConfig,
) -> HierarchyValidation:
    """Centroids, Ward clusters, ARI vs expert groups and group coherence (docs/investigation.md
    §8).

    `mu`, `labels` and `groups` are aligned per row; each label must belong to one group.
    """
    labels = pd.Series(np.asarray(labels, dtype=object)).astype(str)
    groups = pd.Series(np.asarray(groups, dtype=object)).astype(str)
    pairs = pd.DataFrame({LABEL_COLUMN: labels, "group": groups}).drop_duplicates()
    ambiguous = pairs[LABEL_COLUMN].duplicated(keep=False)
    if ambiguous.any():
        raise InputDataError(
            "a lithology is assigned to more than one group", examples=pairs.loc[ambiguous]
        )
    centroids = lithology_centroids(mu, labels)
    if len(centroids) < 2:
        raise InputDataError(
            f"hierarchy validation needs at least 2 lithologies, got {len(centroids)}"
        )
    group_of = dict(zip(pairs[LABEL_COLUMN], pairs["group"], strict=True))
    centroids.insert(1, "group", centroids[LABEL_COLUMN].map(group_of))
    columns = mu_columns(centroids)
    points = centroids[columns].to_numpy()

    # As many clusters as there are groups with at least one lithology present
    # (docs/investigation.md §8.4).
    n_clusters = int(centroids["group"].nunique())
    clusters = ward_clusters(points, n_clusters)
    centroids.insert(3, "cluster", clusters.astype("int64"))
    ari = float(adjusted_rand_score(centroids["group"], clusters))
    coherence, singletons = group_coherence(points, centroids["group"], config)
    log.info(
        "%d lithology centroids in %d groups: ARI %.4f (%s)",
        len(centroids),
        n_clusters,
        ari,
        ari_verdict(ari),
    )
    if singletons:
        log.info(
            "coherence skips %d single-lithology group(s): %s",
            len(singletons),
            format_list(singletons),
        )
    return HierarchyValidation(
        centroids=centroids,
        ari=ari,
        verdict=ari_verdict(ari),
        n_clusters=n_clusters,
        coherence=coherence,
        excluded_from_coherence=singletons,
        linkage_matrix=ward_linkage(points),
        config=config,
    )


def dendrogram_cut_height(linkage_matrix: np.ndarray, n_clusters: int) -> float | None:
    """A height between the merges that leave `n_clusters` clusters (None if no cut is needed)."""
    n_merges = len(linkage_matrix)
    n_points = n_merges + 1
    if n_merges == 0 or n_clusters <= 1 or n_clusters > n_points:
        return None
    heights = np.asarray(linkage_matrix)[:, 2]
    below = heights[n_points - n_clusters - 1] if n_points - n_clusters - 1 >= 0 else 0.0
    above = heights[n_points - n_clusters]
    return float((below + above) / 2)
