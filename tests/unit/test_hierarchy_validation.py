"""Hierarchy validation math on hand-made centroids: ARI, verdicts, coherence, dendrogram cut."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lithoflow.core.errors import ConfigError, InputDataError
from lithoflow.hierarchy.centroids import (
    embedding_matrix,
    lithology_centroids,
    mu_columns,
    ward_clusters,
    ward_linkage,
)
from lithoflow.validation.hierarchy import (
    HierarchyValidationConfig,
    ari_verdict,
    coherence_band,
    dendrogram_cut_height,
    group_coherence,
    validate_hierarchy,
)

CONFIG = HierarchyValidationConfig(tight_below=1.0, moderate_below=2.0)


def rows_at(centroids: dict[str, tuple[float, float]], spread: float = 0.0) -> tuple:
    """Three rows per label, symmetric around its centroid (so the median is the centroid)."""
    mu, labels = [], []
    for label, (x, y) in centroids.items():
        for offset in (-spread, 0.0, spread):
            mu.append((x + offset, y - offset))
            labels.append(label)
    return np.array(mu), pd.Series(labels)


def test_centroid_is_per_dimension_median_sorted_by_label():
    mu = np.array([[0.0, 10.0], [1.0, 0.0], [100.0, 5.0], [3.0, 3.0]])
    labels = ["b", "b", "b", "a"]
    centroids = lithology_centroids(mu, labels)
    assert centroids["label"].tolist() == ["a", "b"]
    assert centroids["n_rows"].tolist() == [1, 3]
    assert centroids.loc[1, ["mu_0", "mu_1"]].tolist() == [1.0, 5.0]  # medians, not means


def test_mu_columns_in_numeric_order():
    frame = pd.DataFrame(columns=["mu_10", "label", "mu_2", "mu_0", "mu_x"])
    assert mu_columns(frame) == ["mu_0", "mu_2", "mu_10"]


def test_embedding_matrix_rejects_missing_or_non_finite_mu():
    with pytest.raises(InputDataError, match="no mu_"):
        embedding_matrix(pd.DataFrame({"label": ["a"]}))
    with pytest.raises(InputDataError, match="non-finite"):
        embedding_matrix(pd.DataFrame({"mu_0": [0.0, np.nan]}))


def test_perfectly_separated_groups_give_ari_one():
    centroids = {
        "a1": (0.0, 0.0),
        "a2": (0.1, 0.0),
        "a3": (0.0, 0.1),
        "b1": (10.0, 10.0),
        "b2": (10.2, 10.0),
        "c1": (-10.0, 10.0),
        "c2": (-10.0, 10.3),
    }
    mu, labels = rows_at(centroids, spread=0.05)
    groups = labels.str[0].map({"a": "A", "b": "B", "c": "C"})
    result = validate_hierarchy(mu, labels, groups, CONFIG)
    assert result.n_clusters == 3
    assert result.ari == pytest.approx(1.0)
    assert result.verdict == "strong"
    assert result.linkage_matrix.shape == (6, 4)
    summary = result.summary(vae="m")
    assert summary["adjusted_rand_index"] == pytest.approx(1.0)
    assert "not a percentage" in summary["note"]
    assert summary["vae"] == "m"
    assert summary["dendrogram"]["labels"] == sorted(centroids)


def test_groups_mixed_across_clusters_give_low_ari():
    # Two tight spatial clusters, each holding one label of each group: clusters ignore groups.
    centroids = {"a1": (0.0, 0.0), "b1": (0.1, 0.0), "a2": (10.0, 0.0), "b2": (10.1, 0.0)}
    mu, labels = rows_at(centroids)
    groups = labels.str[0]
    result = validate_hierarchy(mu, labels, groups, CONFIG)
    assert result.ari < 0.2
    assert result.verdict == "poor"


def test_n_clusters_counts_only_groups_present():
    centroids = {"a1": (0.0, 0.0), "a2": (1.0, 0.0), "b1": (9.0, 0.0)}
    mu, labels = rows_at(centroids)
    result = validate_hierarchy(mu, labels, labels.str[0], CONFIG)
    assert result.n_clusters == 2  # a mapping may list more (empty) groups; they do not count


def test_label_in_two_groups_is_an_error():
    mu = np.zeros((2, 2))
    with pytest.raises(InputDataError, match="more than one group"):
        validate_hierarchy(mu, pd.Series(["a", "a"]), pd.Series(["A", "B"]), CONFIG)


@pytest.mark.parametrize(
    ("ari", "verdict"),
    [(0.51, "strong"), (0.5, "moderate"), (0.21, "moderate"), (0.2, "poor"), (-0.1, "poor")],
)
def test_ari_verdict_boundaries(ari, verdict):
    assert ari_verdict(ari) == verdict


def test_coherence_hand_computed_and_singleton_excluded():
    # Group T: right triangle with sides 0.3, 0.4, 0.5 -> mean 0.4 (tight).
    # Group M: two points 1.5 apart (moderate). Group L: square of side 2 ->
    # 4 sides of 2 and 2 diagonals of 2*sqrt(2) -> mean (8 + 4*sqrt(2)) / 6 (loose).
    # Group S: one point -> excluded.
    points = np.array(
        [
            [0.0, 0.0],
            [0.3, 0.0],
            [0.0, 0.4],
            [5.0, 5.0],
            [6.5, 5.0],
            [20.0, 0.0],
            [22.0, 0.0],
            [20.0, 2.0],
            [22.0, 2.0],
            [-9.0, -9.0],
        ]
    )
    groups = ["T", "T", "T", "M", "M", "L", "L", "L", "L", "S"]
    table, excluded = group_coherence(points, groups, CONFIG)
    assert excluded == ("S",)
    assert table["group"].tolist() == ["T", "M", "L"]  # tightest first
    assert table["n_labels"].tolist() == [3, 2, 4]
    expected = [0.4, 1.5, (8 + 4 * math.sqrt(2)) / 6]
    assert table["mean_pairwise_distance"].tolist() == pytest.approx(expected)
    assert table["coherence"].tolist() == ["tight", "moderate", "loose"]


@pytest.mark.parametrize(
    ("distance", "band"),
    [(0.99, "tight"), (1.0, "moderate"), (1.99, "moderate"), (2.0, "loose"), (7.0, "loose")],
)
def test_coherence_band_boundaries(distance, band):
    assert coherence_band(distance, CONFIG) == band


def test_config_from_config_and_bad_bands():
    config = HierarchyValidationConfig.from_config({"coherence_bands": [0.5, 3]})
    assert (config.tight_below, config.moderate_below) == (0.5, 3.0)
    with pytest.raises(ConfigError, match="coherence_bands"):
        HierarchyValidationConfig(tight_below=2.0, moderate_below=1.0)


def test_ward_clusters_match_scipy_cut_and_cut_height_separates_them():
    rng = np.random.default_rng(3)
    points = np.concatenate([rng.normal(c, 0.2, (5, 3)) for c in (0.0, 4.0, 9.0)])
    clusters = ward_clusters(points, 3)
    assert len(set(clusters)) == 3
    # Same partition as the first 5 / next 5 / last 5 points.
    assert all(len(set(clusters[i : i + 5])) == 1 for i in (0, 5, 10))
    linkage_matrix = ward_linkage(points)
    cut = dendrogram_cut_height(linkage_matrix, 3)
    heights = linkage_matrix[:, 2]
    assert (heights > cut).sum() == 2  # two merges above the cut leave three clusters
    assert dendrogram_cut_height(linkage_matrix, 1) is None


def test_ward_clusters_one_per_point():
    assert ward_clusters(np.zeros((3, 2)), 3).tolist() == [0, 1, 2]
    with pytest.raises(ValueError, match="n_clusters"):
        ward_clusters(np.zeros((3, 2)), 4)
