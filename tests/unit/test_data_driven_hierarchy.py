"""The data-driven hierarchy on hand-made centroids with a known answer."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from lithoflow.core.dataset import write_dataset
from lithoflow.core.errors import ConfigError, InputDataError
from lithoflow.core.io import read_json, write_csv
from lithoflow.features.scaling import ScalingConfig
from lithoflow.hierarchy.data_driven import (
    UNSEEN_GROUP,
    DataDrivenConfig,
    best_k,
    build_data_driven_hierarchy,
    group_names,
    mapping_agreement,
    nearest_centre,
    run_data_driven_hierarchy,
)
from lithoflow.hierarchy.mapping import MAPPING_COLUMNS, read_hierarchy_table
from lithoflow.settings import validate as validate_config

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"

# Three well-separated clouds of label centroids in 2-D.
CLOUDS = {
    "ooze a": (0.0, 0.0),
    "ooze b": (0.3, 0.1),
    "ooze c": (0.1, 0.4),
    "clay a": (10.0, 0.0),
    "clay b": (10.2, 0.3),
    "clay c": (9.8, 0.2),
    "basalt a": (0.0, 10.0),
    "basalt b": (0.4, 10.1),
}


def settings(**overrides) -> dict:
    base = {
        "enabled": True,
        "input": "raw",
        "rows": "train",
        "split": "size_balanced",
        "n_groups": None,
        "k_range": [2, 5],
        "min_rows": 3,
    }
    return {**base, **overrides}


def rows_at(centres: dict[str, tuple[float, float]], per_label: dict[str, int] | None = None):
    """Rows symmetric around each centre (the median is the centre); 5 rows per label unless
    `per_label` says otherwise."""
    values, labels = [], []
    for label, (x, y) in centres.items():
        n = (per_label or {}).get(label, 5)
        offsets = np.linspace(-0.05, 0.05, n)
        for offset in offsets:
            values.append((x + offset, y - offset))
            labels.append(label)
    return np.array(values), pd.Series(labels)


def counts_of(labels: pd.Series, extra: dict[str, int] | None = None) -> pd.Series:
    counts = labels.value_counts()
    for label, n in (extra or {}).items():
        counts[label] = n
    return counts.sort_index()


def group_sets(mapping: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for label, group in mapping.items():
        groups.setdefault(group, set()).add(label)
    return {frozenset(members) for members in groups.values()}


def test_three_clouds_are_recovered_and_k_chosen_by_silhouette():
    values, labels = rows_at(CLOUDS)
    config = DataDrivenConfig.from_config(settings())
    result = build_data_driven_hierarchy(values, labels, counts_of(labels), config, ["x", "y"])
    assert result.k == 3
    assert result.k_selection == "silhouette"
    assert set(result.silhouettes) == {2, 3, 4, 5}
    assert best_k(result.silhouettes) == 3
    assert group_sets(result.mapping) == {
        frozenset({"ooze a", "ooze b", "ooze c"}),
        frozenset({"clay a", "clay b", "clay c"}),
        frozenset({"basalt a", "basalt b"}),
    }
    assert list(result.table.columns) == list(MAPPING_COLUMNS)
    assert result.table["Count"].sum() == len(labels)
    assert result.table["Percentage"].sum() == pytest.approx(100.0)


def test_fixed_k_is_used():
    values, labels = rows_at(CLOUDS)
    config = DataDrivenConfig.from_config(settings(n_groups=2))
    result = build_data_driven_hierarchy(values, labels, counts_of(labels), config, ["x", "y"])
    assert result.k == 2
    assert result.k_selection == "config"
    assert result.silhouettes == {}
    assert len(set(result.mapping.values())) == 2


def test_rare_label_joins_the_nearest_group_and_does_not_shape_the_clusters():
    # "clayey ash" sits next to the clay cloud but has only 2 rows (< min_rows 3).
    centres = {**CLOUDS, "clayey ash": (9.0, 1.0)}
    values, labels = rows_at(centres, per_label={"clayey ash": 2})
    config = DataDrivenConfig.from_config(settings(n_groups=3))
    result = build_data_driven_hierarchy(values, labels, counts_of(labels), config, ["x", "y"])
    assert result.mapping["clayey ash"] == result.mapping["clay a"]
    roles = result.centroids.set_index("label")["role"]
    assert roles["clayey ash"] == "rare"
    assert (roles.drop("clayey ash") == "clustered").all()
    assert result.summary()["rare_labels"] == ["clayey ash"]


def test_label_without_fitting_rows_goes_to_the_unseen_group():
    values, labels = rows_at(CLOUDS)
    counts = counts_of(labels, {"gypsum": 7})
    config = DataDrivenConfig.from_config(settings(n_groups=3))
    result = build_data_driven_hierarchy(values, labels, counts, config, ["x", "y"])
    assert result.mapping["gypsum"] == UNSEEN_GROUP
    assert result.summary()["unseen_labels"] == ["gypsum"]
    row = result.table.set_index("Principal_Lithology").loc["gypsum"]
    assert row["Count"] == 7


def test_group_names_are_numbered_by_rows_and_name_the_dominant_label():
    centroids = pd.DataFrame(
        {
            "label": ["a", "b", "c", "d"],
            "n_rows": [5, 50, 10, 3],
            "cluster": [0, 1, 1, 0],
        }
    )
    assert group_names(centroids) == {1: "D1: b +1", 0: "D2: a +1"}
    single = pd.DataFrame({"label": ["x"], "n_rows": [4], "cluster": [0]})
    assert group_names(single) == {0: "D1: x"}


def test_nearest_centre():
    centres = np.array([[0.0, 0.0], [10.0, 0.0]])
    assert nearest_centre(np.array([[1.0, 1.0], [7.0, -2.0]]), centres).tolist() == [0, 1]


def test_identical_mappings_agree_fully_and_report_chance_levels():
    mapping = {"a": "G1", "b": "G1", "c": "G2"}
    renamed = {"a": "X", "b": "X", "c": "Y"}
    counts = pd.Series({"a": 10, "b": 5, "c": 1})
    agreement = mapping_agreement(mapping, renamed, counts)
    assert agreement["ari_rows"] == pytest.approx(1.0)
    assert agreement["ari_labels"] == pytest.approx(1.0)
    assert agreement["expert"] == {"n_groups": 2, "chance_level": 0.5}
    assert agreement["n_rows"] == 16


def test_row_weighted_ari_differs_from_label_ari():
    expert = {"a": "G1", "b": "G1", "c": "G2", "d": "G2"}
    data = {"a": "X", "b": "Y", "c": "Y", "d": "Y"}  # only "a" and "b" split differently
    # "a" holds almost every row: over rows, the partitions nearly agree.
    heavy_a = pd.Series({"a": 1000, "b": 1, "c": 500, "d": 500})
    agreement = mapping_agreement(expert, data, heavy_a)
    assert agreement["ari_rows"] > agreement["ari_labels"]
    with pytest.raises(InputDataError, match="missing from the data-driven"):
        mapping_agreement(expert, {"a": "X"}, heavy_a)


def test_too_few_labels_for_the_configured_k_is_a_clear_error():
    values, labels = rows_at({"a": (0.0, 0.0), "b": (1.0, 1.0)})
    with pytest.raises(InputDataError, match="only 2 labels"):
        build_data_driven_hierarchy(
            values,
            labels,
            counts_of(labels),
            DataDrivenConfig.from_config(settings(k_range=[3, 5])),
            ["x", "y"],
        )
    with pytest.raises(InputDataError, match="n_groups is 4"):
        build_data_driven_hierarchy(
            values,
            labels,
            counts_of(labels),
            DataDrivenConfig.from_config(settings(n_groups=4)),
            ["x", "y"],
        )


def test_config_errors_name_the_key():
    with pytest.raises(ConfigError, match="k_range"):
        DataDrivenConfig.from_config(settings(k_range=[5, 3]))


def test_run_scales_on_the_train_part_and_writes_the_expert_format(tmp_path):
    """Raw input: the train boreholes define the groups; a test-only label goes to the unseen
    group, and test rows' values (however extreme) change nothing."""
    rng = np.random.default_rng(0)
    rows = []
    for part, boreholes in (("train", ["1-A", "2-A"]), ("test", ["3-A"])):
        for borehole in boreholes:
            for label, (x, y) in CLOUDS.items():
                for i in range(4):
                    rows.append((borehole, i * 0.2, label, x + rng.normal(0, 0.05), y, part))
    rows.append(("3-A", 5.0, "gypsum", 1e4, 1e4, "test"))
    frame = pd.DataFrame(rows, columns=["borehole_id", "depth_bin_m", "label", "F1", "F2", "part"])
    frame["exp"], frame["site"], frame["hole"] = "1", "1", "A"
    frame = frame.drop_duplicates(["borehole_id", "depth_bin_m", "label"])
    frame["depth_bin_m"] = frame.groupby("borehole_id").cumcount() * 0.2
    columns = ["borehole_id", "exp", "site", "hole", "depth_bin_m", "label", "F1", "F2"]
    write_dataset(tmp_path / "features.parquet", frame[columns], ["F1", "F2"])
    write_dataset(
        tmp_path / "train.parquet", frame.loc[frame["part"] == "train", columns], ["F1", "F2"]
    )
    expert = pd.DataFrame(
        {
            "Principal_Lithology": [*CLOUDS, "gypsum"],
            "Lithology_Group": [label.split()[0] for label in CLOUDS] + ["Evaporite"],
        }
    )
    write_csv(tmp_path / "expert.csv", expert)
    summary = run_data_driven_hierarchy(
        config=DataDrivenConfig.from_config(settings()),
        scaling=ScalingConfig.from_config({"default_transform": "identity", "transforms": {}}),
        features_path=tmp_path / "features.parquet",
        expert_mapping_path=tmp_path / "expert.csv",
        mapping_path=tmp_path / "mapping.csv",
        summary_path=tmp_path / "summary.json",
        train_path=tmp_path / "train.parquet",
    )
    table = read_hierarchy_table(tmp_path / "mapping.csv")
    assert table["Count"].sum() == len(frame)
    assert summary["k"] == 3
    assert summary["unseen_labels"] == ["gypsum"]
    assert summary["scaler"]["n_samples"] == int((frame["part"] == "train").sum())
    agreement = summary["agreement_with_expert"]
    assert agreement["ari_labels"] == pytest.approx(1.0)
    assert agreement["data_driven"]["n_groups"] == 4  # three clusters and the unseen group
    assert read_json(tmp_path / "summary.json")["k"] == 3


def test_k_range_beyond_the_labels_is_clipped():
    values, labels = rows_at(CLOUDS)  # 8 labels: k up to 7 has a silhouette
    config = DataDrivenConfig.from_config(settings(k_range=[9, 12]))
    result = build_data_driven_hierarchy(values, labels, counts_of(labels), config, ["x", "y"])
    assert set(result.silhouettes) == {7}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.update(input="embedding"), "data_driven.vae: input 'embedding' needs"),
        (lambda s: s.update(input="embedding", vae="nope"), "'nope' is not one of vae.models"),
        (lambda s: s.update(vae="v2_6_7"), "input 'raw' uses no VAE"),
        (lambda s: s.update(split="explicit"), "data_driven.split: 'explicit' is not in"),
        (lambda s: s.update(k_range=[8, 4]), "data_driven.k_range: min must not exceed max"),
    ],
)
def test_config_cross_key_problems(edit, message):
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    edit(config["hierarchy"]["data_driven"])
    with pytest.raises(ConfigError, match=re.escape(message)):
        validate_config(config, SCHEMA)


def test_config_defaults_fill_the_section():
    config = yaml.safe_load((REPO / "config.yaml").read_text())
    del config["hierarchy"]["data_driven"]
    validate_config(config, SCHEMA)
    section = config["hierarchy"]["data_driven"]
    assert DataDrivenConfig.from_config(section).rows == "train"
    assert section["n_groups"] is None


def test_run_on_a_vae_embedding_uses_its_training_rows(tmp_path):
    values, labels = rows_at(CLOUDS)
    n = len(labels)
    embeddings = pd.DataFrame({"label": labels, "mu_0": values[:, 0], "mu_1": values[:, 1]})
    embeddings["split"] = "train"
    # Held-out rows far away from everything: with rows "train" they change nothing.
    held_out = embeddings.head(3).assign(split="test", mu_0=1e3, mu_1=-1e3)
    embeddings = pd.concat([embeddings, held_out], ignore_index=True)
    embeddings.to_parquet(tmp_path / "embeddings.parquet")
    frame = pd.DataFrame(
        {
            "borehole_id": "1-A",
            "exp": "1",
            "site": "1",
            "hole": "A",
            "depth_bin_m": np.arange(len(embeddings)) * 0.2,
            "label": embeddings["label"],
            "F": 0.0,
        }
    )
    write_dataset(tmp_path / "features.parquet", frame, ["F"])
    expert = pd.DataFrame({"Principal_Lithology": list(CLOUDS), "Lithology_Group": "All"})
    write_csv(tmp_path / "expert.csv", expert)
    section = settings(input="embedding", vae="v", n_groups=None)
    summary = run_data_driven_hierarchy(
        config=DataDrivenConfig.from_config(section),
        scaling=ScalingConfig.from_config({"default_transform": "identity", "transforms": {}}),
        features_path=tmp_path / "features.parquet",
        expert_mapping_path=tmp_path / "expert.csv",
        mapping_path=tmp_path / "mapping.csv",
        summary_path=tmp_path / "summary.json",
        embeddings_path=tmp_path / "embeddings.parquet",
    )
    assert summary["k"] == 3
    assert summary["n_fit_rows"] == n
    assert summary["dimensions"] == ["mu_0", "mu_1"]
    assert summary["vae"] == "v"
    assert "scaler" not in summary
    assert read_hierarchy_table(tmp_path / "mapping.csv")["Count"].sum() == len(embeddings)
