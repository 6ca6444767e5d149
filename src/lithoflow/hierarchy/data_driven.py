"""A data-driven lithology hierarchy: labels grouped by where their rows sit in feature space.

The investigation's recommendation 3: instead of (or beside) the expert keyword groups, group the
lithologies by their measured properties. Each label becomes one point, its centroid (the
per-dimension median of its rows, as in the hierarchy validation); the centroids of the labels
with at least `min_rows` rows are clustered into k groups with Ward linkage (one unweighted point
per label); k is fixed in the config or chosen by the silhouette of the centroid clustering over a
range. A rarer label does not take part in the clustering (its median is noisy and one point would
weigh as much as a common label); it joins the group whose centre (the mean of its members'
centroids) is nearest to its own centroid.

Which rows the centroids come from is the config's choice (`rows`): `train`, the default, uses
the train part of a split only (the raw features' scaler is fitted there too), so nothing about
the test boreholes shapes the groups; a label with no training row then cannot be placed and goes
to its own group, `UNSEEN_GROUP`. `all` uses every row, as the investigation's analyses did.

The result is a mapping table in the expert mapping's format (Principal_Lithology,
Lithology_Group, Count, Percentage over every row of the dataset) plus a summary: k and how it was
chosen, the silhouette of each k tried, the members of each group, and the agreement with the
expert mapping (adjusted Rand index over labels weighted by their row counts, i.e. over rows, and
over labels counted once), with the number of groups and the chance level 1/n of each mapping.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, silhouette_score

from lithoflow.core.dataset import LABEL_COLUMN as DATASET_LABEL
from lithoflow.core.dataset import read_dataset
from lithoflow.core.errors import ConfigError, InputDataError, format_list
from lithoflow.core.io import write_csv, write_json
from lithoflow.features.scaling import Scaler, ScalingConfig
from lithoflow.hierarchy.centroids import (
    embedding_matrix,
    encoded_rows,
    lithology_centroids,
    mu_columns,
    ward_clusters,
)
from lithoflow.hierarchy.mapping import (
    GROUP_COLUMN,
    LABEL_COLUMN,
    UNSEEN_GROUP,
    hierarchy_table,
    read_mapping,
)

log = logging.getLogger(__name__)

GROUP_PREFIX = "D"
INPUTS: tuple[str, ...] = ("raw", "embedding")
ROWS: tuple[str, ...] = ("train", "all")


@dataclass(frozen=True)
class DataDrivenConfig:
    """The config section `hierarchy.data_driven` (see the schema for each key)."""

    enabled: bool
    input: str  # raw | embedding
    vae: str  # the VAE whose mu is clustered (input embedding)
    rows: str  # train | all
    split: str  # split method whose train part is used (input raw, rows train)
    n_groups: int | None  # fixed k, or None to choose k by silhouette over k_range
    k_range: tuple[int, int]
    min_rows: int

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> DataDrivenConfig:
        """Build from the validated config section `hierarchy.data_driven`."""
        low, high = (int(k) for k in section["k_range"])
        config = cls(
            enabled=bool(section["enabled"]),
            input=str(section["input"]),
            vae=str(section.get("vae") or ""),
            rows=str(section["rows"]),
            split=str(section["split"]),
            n_groups=None if section.get("n_groups") is None else int(section["n_groups"]),
            k_range=(low, high),
            min_rows=int(section["min_rows"]),
        )
        if config.input not in INPUTS:
            raise ConfigError(f"config key hierarchy.data_driven.input: one of {INPUTS}")
        if config.rows not in ROWS:
            raise ConfigError(f"config key hierarchy.data_driven.rows: one of {ROWS}")
        if not 2 <= low <= high:
            raise ConfigError(
                f"config key hierarchy.data_driven.k_range: need 2 <= min <= max, got {[low, high]}"
            )
        return config

    def describe_rows(self) -> str:
        """Which rows the centroids (and the raw features' scaler) come from, in words."""
        if self.rows == "all":
            return "every row of the dataset (test boreholes included)"
        if self.input == "embedding":
            return f"the train part of VAE {self.vae!r}'s split (its 'split' column)"
        return f"the train part of split {self.split!r}"


@dataclass(frozen=True)
class DataDrivenHierarchy:
    """The data-driven mapping and everything needed to explain it."""

    table: pd.DataFrame  # the mapping, in the expert mapping's format
    centroids: pd.DataFrame  # label, n_rows, role (clustered|rare|unseen), group, dims...
    k: int
    k_selection: str  # "config" or "silhouette"
    silhouettes: dict[int, float]  # k -> silhouette of the centroid clustering (when searched)
    dimensions: tuple[str, ...]

    @property
    def mapping(self) -> dict[str, str]:
        return dict(zip(self.table[LABEL_COLUMN], self.table[GROUP_COLUMN], strict=True))

    def summary(self) -> dict[str, Any]:
        """A JSON-ready description of the clustering (without the expert comparison)."""
        groups = []
        for name, members in self.centroids.groupby(GROUP_COLUMN, sort=False):
            ordered = members.sort_values(["n_rows", "label"], ascending=[False, True])
            groups.append(
                {
                    "group": name,
                    "n_labels": len(members),
                    "n_fit_rows": int(members["n_rows"].sum()),
                    "rows": int(self.table.loc[self.table[GROUP_COLUMN] == name, "Count"].sum()),
                    "labels": ordered["label"].tolist(),
                }
            )
        roles = self.centroids.set_index("label")["role"]
        return {
            "k": self.k,
            "k_selection": self.k_selection,
            "silhouette_by_k": {str(k): v for k, v in self.silhouettes.items()},
            "dimensions": list(self.dimensions),
            "n_labels": len(self.table),
            "n_clustered_labels": int((roles == "clustered").sum()),
            "rare_labels": sorted(roles.index[roles == "rare"]),
            "unseen_labels": sorted(roles.index[roles == "unseen"]),
            "groups": sorted(groups, key=lambda g: _group_order_key(g["group"])),
        }


def _group_order_key(name: str) -> tuple[int, str]:
    """D1, D2, ..., D10, then anything else (the unseen group) by name."""
    head = name.split(":", 1)[0]
    if head.startswith(GROUP_PREFIX) and head[len(GROUP_PREFIX) :].isdigit():
        return int(head[len(GROUP_PREFIX) :]), ""
    return 1 << 30, name


def silhouettes_by_k(points: np.ndarray, k_range: tuple[int, int]) -> dict[int, float]:
    """Silhouette of the Ward clustering of `points` for every k of the range that is defined.

    A silhouette needs 2 <= k <= n_points - 1. The range is clipped to that (a warning says so
    when the range's low end is out of reach, e.g. on a tiny dataset); fewer than 3 points are an
    error.
    """
    n_points = len(points)
    if n_points < 3:
        raise InputDataError(
            f"cannot choose k by silhouette: only {n_points} labels have enough rows to be "
            "clustered (at least 3 are needed); lower hierarchy.data_driven.min_rows or set "
            "n_groups"
        )
    low, high = min(k_range[0], n_points - 1), min(k_range[1], n_points - 1)
    if (low, high) != tuple(k_range):
        log.warning(
            "hierarchy.data_driven.k_range %s clipped to [%d, %d]: only %d labels are clustered",
            list(k_range),
            low,
            high,
            n_points,
        )
    return {
        k: float(silhouette_score(points, ward_clusters(points, k), metric="euclidean"))
        for k in range(low, high + 1)
    }


def best_k(silhouettes: Mapping[int, float]) -> int:
    """The k with the largest silhouette (the smallest such k on a tie)."""
    return max(sorted(silhouettes), key=lambda k: silhouettes[k])


def nearest_centre(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Index of the nearest centre (Euclidean) of each point; the first one on a tie."""
    points = np.asarray(points, dtype=float)
    centres = np.asarray(centres, dtype=float)
    distances = ((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
    return distances.argmin(axis=1)


def group_names(centroids: pd.DataFrame) -> dict[int, str]:
    """A readable, stable name per cluster id: "D<i>: <dominant label>" (+ how many others).

    Clusters are numbered from the one with the most rows (all members, rare ones included) down,
    ties by dominant label; the dominant label is the member with the most rows (ties by name).
    """
    rows = []
    for cluster, members in centroids.groupby("cluster"):
        dominant = members.sort_values(["n_rows", "label"], ascending=[False, True]).iloc[0]
        rows.append((int(cluster), int(members["n_rows"].sum()), dominant["label"], len(members)))
    rows.sort(key=lambda r: (-r[1], r[2]))
    names = {}
    for i, (cluster, _, dominant, n_members) in enumerate(rows, start=1):
        others = f" +{n_members - 1}" if n_members > 1 else ""
        names[cluster] = f"{GROUP_PREFIX}{i}: {dominant}{others}"
    return names


def cluster_label_centroids(
    centroids: pd.DataFrame, n_groups: int | None, k_range: tuple[int, int], min_rows: int
) -> tuple[pd.DataFrame, int, dict[int, float]]:
    """Cluster the centroids of labels with >= min_rows rows; rarer ones join the nearest group.

    `centroids` has columns label, n_rows and one column per dimension (mu_0, ...). Returns the
    centroids with `role` (clustered|rare) and `cluster` added, k and the silhouettes tried.
    """
    dims = mu_columns(centroids)
    frequent = centroids["n_rows"] >= min_rows
    points = centroids.loc[frequent, dims].to_numpy(dtype=float)
    if n_groups is None:
        silhouettes = silhouettes_by_k(points, k_range)
        k = best_k(silhouettes)
    else:
        silhouettes = {}
        k = n_groups
        if not 2 <= k <= len(points):
            raise InputDataError(
                f"hierarchy.data_driven.n_groups is {k}, but only {len(points)} labels have at "
                f"least {min_rows} rows (min_rows) to be clustered; lower n_groups or min_rows"
            )
    clusters = ward_clusters(points, k)
    result = centroids.copy()
    result.insert(2, "role", np.where(frequent, "clustered", "rare"))
    result.insert(3, "cluster", -1)
    result.loc[frequent, "cluster"] = clusters
    if (~frequent).any():
        centres = np.stack([points[clusters == c].mean(axis=0) for c in range(k)])
        rare_points = centroids.loc[~frequent, dims].to_numpy(dtype=float)
        result.loc[~frequent, "cluster"] = nearest_centre(rare_points, centres)
    result["cluster"] = result["cluster"].astype("int64")
    return result, k, silhouettes


def build_data_driven_hierarchy(
    values: np.ndarray,
    labels: Sequence[str] | pd.Series,
    label_counts: pd.Series,
    config: DataDrivenConfig,
    dimensions: Sequence[str],
) -> DataDrivenHierarchy:
    """The data-driven mapping of every label in `label_counts` (label -> rows in the dataset).

    `values` (rows x dimensions, already scaled: standardised features or mu) and `labels` are
    the fitting rows; labels of `label_counts` without a fitting row go to `UNSEEN_GROUP`.
    """
    values = np.asarray(values, dtype=float)
    labels = pd.Series(np.asarray(labels, dtype=object)).astype(str)
    if values.ndim != 2 or values.shape[1] != len(dimensions) or len(values) != len(labels):
        raise InputDataError(
            f"expected ({len(labels)}, {len(dimensions)}) values for dimensions "
            f"{format_list(dimensions)}, got shape {values.shape}"
        )
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        raise InputDataError(
            f"{int(bad.sum())} rows hold non-finite values",
            examples=pd.DataFrame(values[bad], columns=list(dimensions)).assign(
                label=labels[bad].to_numpy()
            ),
        )
    all_labels = pd.Index(label_counts.index.astype(str))
    unknown = sorted(set(labels) - set(all_labels))
    if unknown:
        raise InputDataError(f"fitting rows hold labels not in the dataset: {format_list(unknown)}")
    centroids = lithology_centroids(values, labels)
    clustered, k, silhouettes = cluster_label_centroids(
        centroids, config.n_groups, config.k_range, config.min_rows
    )
    names = group_names(clustered)
    clustered.insert(4, GROUP_COLUMN, clustered["cluster"].map(names))
    unseen = [label for label in all_labels if label not in set(clustered["label"])]
    if unseen:
        extra = pd.DataFrame(
            {
                "label": unseen,
                "n_rows": 0,
                "role": "unseen",
                "cluster": -1,
                GROUP_COLUMN: UNSEEN_GROUP,
            }
        )
        clustered = pd.concat([clustered, extra], ignore_index=True)
        log.warning(
            "%d label(s) have no fitting row and go to %r: %s",
            len(unseen),
            UNSEEN_GROUP,
            format_list(sorted(unseen)),
        )
    mapping = dict(zip(clustered["label"], clustered[GROUP_COLUMN], strict=True))
    table = hierarchy_table(label_counts.set_axis(all_labels), mapping)
    centroids_out = clustered.rename(
        columns=dict(zip(mu_columns(clustered), dimensions, strict=True))
    )
    log.info(
        "data-driven hierarchy: %d labels (%d clustered, %d rare, %d unseen) in k = %d groups (%s)",
        len(table),
        int((clustered["role"] == "clustered").sum()),
        int((clustered["role"] == "rare").sum()),
        len(unseen),
        k,
        "from the config" if config.n_groups is not None else "best silhouette",
    )
    return DataDrivenHierarchy(
        table=table,
        centroids=centroids_out,
        k=k,
        k_selection="config" if config.n_groups is not None else "silhouette",
        silhouettes=silhouettes,
        dimensions=tuple(dimensions),
    )


def mapping_agreement(
    expert: Mapping[str, str], data_driven: Mapping[str, str], label_counts: pd.Series
) -> dict[str, Any]:
    """ARI between two label -> group mappings, over rows (labels weighted by their counts) and
    over labels (each once), with the number of groups and the chance level 1/n of each mapping.

    Both mappings must cover every label of `label_counts`.
    """
    labels = [str(label) for label in label_counts.index]
    for name, mapping in (("expert", expert), ("data-driven", data_driven)):
        missing = [label for label in labels if label not in mapping]
        if missing:
            raise InputDataError(
                f"labels missing from the {name} mapping: {format_list(sorted(missing))}"
            )
    expert_groups = np.array([expert[label] for label in labels], dtype=object)
    data_groups = np.array([data_driven[label] for label in labels], dtype=object)
    weights = label_counts.to_numpy(dtype=np.int64)
    n_expert = len(set(expert_groups[weights > 0]))
    n_data = len(set(data_groups[weights > 0]))
    return {
        "ari_rows": float(
            adjusted_rand_score(np.repeat(expert_groups, weights), np.repeat(data_groups, weights))
        ),
        "ari_labels": float(adjusted_rand_score(expert_groups, data_groups)),
        "expert": {"n_groups": n_expert, "chance_level": 1.0 / n_expert},
        "data_driven": {"n_groups": n_data, "chance_level": 1.0 / n_data},
        "n_labels": len(labels),
        "n_rows": int(weights.sum()),
        "note": (
            "ari_rows weighs each label by its rows (the agreement a row-level classifier "
            "meets); ari_labels counts each label once. The chance level 1/n is the balanced "
            "accuracy of guessing among n groups: fewer, coarser groups are easier to predict, "
            "so compare classifiers on the two mappings against their own chance levels."
        ),
    }


def scaled_feature_values(
    fit_rows: pd.DataFrame, features: Sequence[str], scaling: ScalingConfig
) -> tuple[np.ndarray, Scaler]:
    """The fitting rows' features, scaled with a Scaler fitted on those same rows."""
    features = list(features)
    raw = fit_rows[features].to_numpy(dtype=float)
    scaler = Scaler.fit(raw, features, scaling.transforms_for(features))
    return scaler.transform(raw), scaler


def run_data_driven_hierarchy(
    *,
    config: DataDrivenConfig,
    scaling: ScalingConfig,
    features_path: str | os.PathLike[str],
    expert_mapping_path: str | os.PathLike[str],
    mapping_path: str | os.PathLike[str],
    summary_path: str | os.PathLike[str],
    train_path: str | os.PathLike[str] | None = None,
    embeddings_path: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Read the inputs the config asks for, build the mapping, compare it with the expert one and
    write the mapping CSV and the JSON summary; returns the summary.

    Input raw: the dataset (`features_path`), fitted on the split's train part (`train_path`)
    when `config.rows` is train; input embedding: the VAE's `embeddings_path` (its `split` column
    tells the train rows). Counts and percentages are over every row of the dataset. Fitting
    rows lacking a feature (raw) or μ (embedding) are left out and counted.
    """
    dataset = read_dataset(features_path)
    label_counts = dataset.labels.astype(str).value_counts().sort_index()
    extra: dict[str, Any] = {}
    if config.input == "raw":
        if config.rows == "train":
            if train_path is None:
                raise ConfigError("rows 'train' needs the split's train part (train_path)")
            fit_rows = read_dataset(train_path).frame
        else:
            fit_rows = dataset.frame
        complete = fit_rows[list(dataset.features)].notna().all(axis=1)
        left_out = int((~complete).sum())
        if left_out:
            log.warning(
                "%d of %d fitting rows lack a feature and are left out", left_out, len(fit_rows)
            )
        fit_rows = fit_rows.loc[complete]
        values, scaler = scaled_feature_values(fit_rows, dataset.features, scaling)
        fit_labels = fit_rows[DATASET_LABEL]
        dimensions: list[str] = list(dataset.features)
        extra["scaler"] = scaler.to_dict()
    else:
        if embeddings_path is None:
            raise ConfigError("input 'embedding' needs the VAE's embeddings (embeddings_path)")
        path = str(embeddings_path)
        embeddings = pd.read_parquet(path)
        for column in (DATASET_LABEL, "split"):
            if column not in embeddings.columns:
                raise InputDataError("embeddings lack a column", path=path, column=column)
        if config.rows == "train":
            embeddings = embeddings[embeddings["split"] == "train"]
        embeddings, left_out = encoded_rows(embeddings)
        values = embedding_matrix(embeddings, path)
        fit_labels = embeddings[DATASET_LABEL]
        dimensions = mu_columns(embeddings)
    if len(fit_labels) == 0:
        raise InputDataError(f"no fitting rows ({config.describe_rows()})")
    result = build_data_driven_hierarchy(values, fit_labels, label_counts, config, dimensions)
    expert = read_mapping(expert_mapping_path)
    summary = {
        "input": config.input,
        "vae": config.vae if config.input == "embedding" else None,
        "rows": config.rows,
        "rows_used": config.describe_rows(),
        "n_fit_rows": len(fit_labels),
        "n_fit_rows_left_out_missing_features": left_out,
        "min_rows": config.min_rows,
        "k_range": list(config.k_range),
        "method": (
            "centroid = per-dimension median of each label's fitting rows; Ward agglomerative "
            "clustering of the centroids of labels with >= min_rows rows (one unweighted point "
            "each); rarer labels join the group whose mean centroid is nearest; labels without a "
            f"fitting row go to {UNSEEN_GROUP!r}"
        ),
        **result.summary(),
        "agreement_with_expert": mapping_agreement(expert, result.mapping, label_counts),
        **extra,
    }
    write_csv(mapping_path, result.table)
    write_json(summary_path, summary)
    return summary
