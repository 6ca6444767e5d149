"""Hierarchy rules (precedence, catch-all, unclassified) and user mapping CSVs."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
import yaml

from lithoflow.core.errors import ConfigError, InputDataError
from lithoflow.core.io import write_csv
from lithoflow.hierarchy.mapping import (
    MAPPING_COLUMNS,
    HierarchyRules,
    build_hierarchy,
    classify_label,
    groups_of,
    hierarchy_table,
    map_labels,
    map_labels_by_csv,
    map_labels_by_rules,
    read_hierarchy_table,
    read_mapping,
)


@pytest.fixture(scope="module")
def default_rules(repo_root) -> HierarchyRules:
    config = yaml.safe_load((repo_root / "config.yaml").read_text())
    return HierarchyRules.from_config(config["hierarchy"])


@pytest.mark.parametrize(
    ("label", "group"),
    [
        ("nannofossil clay", "Carbonate"),  # Carbonate is tried before Clay/Mud
        ("foraminifera sand", "Carbonate"),
        ("silty sand", "Silt"),  # Silt before Sand
        ("clayey sand", "Clay/Mud"),  # Clay/Mud before Sand
        ("interbedded silt and clay", "Clay/Mud"),  # so Interbedded stays empty
        ("clast-poor sandy diamict", "Sand"),
        ("debris flow", "Diamict"),
        ("dolostone", "Evaporite"),
        ("diatom ooze", "Biogenic Silica"),
        ("Nannofossil OOZE", "Carbonate"),  # case-insensitive
        ("ooze", "Other"),  # exact catch-all, after the keywords
        ("Volcanic Rock", "Other"),
        ("gabbro", "Mafic Igneous"),
    ],
)
def test_default_rules_precedence(default_rules, label, group):
    assert classify_label(label, default_rules) == group


def test_catch_all_is_exact_not_substring(default_rules):
    assert classify_label("coal seam", default_rules) is None
    assert classify_label("coal", default_rules) == "Other"


def test_unknown_labels_go_to_unclassified_with_a_warning(default_rules, caplog):
    with caplog.at_level(logging.WARNING, logger="lithoflow.hierarchy.mapping"):
        mapping = map_labels_by_rules(["clay", "unobtainium", "mystery rock"], default_rules)
    assert mapping == {
        "clay": "Clay/Mud",
        "mystery rock": "Unclassified",
        "unobtainium": "Unclassified",
    }
    warning = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "unobtainium" in warning and "mystery rock" in warning and "Unclassified" in warning


def test_first_matching_group_wins_in_config_order():
    section = {
        "groups": [
            {"name": "First", "keywords": ["stone"]},
            {"name": "Second", "keywords": ["sandstone"]},
        ],
        "exact_match": {"group": "Other", "labels": []},
        "unclassified_group": "Nothing",
        "mapping_csv": "",
    }
    rules = HierarchyRules.from_config(section)
    assert classify_label("SANDSTONE", rules) == "First"
    assert map_labels(["clay"], rules) == {"clay": "Nothing"}
    swapped = HierarchyRules.from_config({**section, "groups": section["groups"][::-1]})
    assert classify_label("sandstone", swapped) == "Second"
    assert classify_label("limestone", swapped) == "First"


def test_duplicate_group_names_are_a_config_error():
    section = {
        "groups": [{"name": "A", "keywords": ["x"]}, {"name": "A", "keywords": ["y"]}],
        "exact_match": {"group": "Other", "labels": []},
        "unclassified_group": "Unclassified",
    }
    with pytest.raises(ConfigError, match=r"hierarchy\.groups"):
        HierarchyRules.from_config(section)


def test_default_rules_reproduce_the_investigations_mapping(default_rules, packaged_data):
    reference = pd.read_csv(packaged_data / "lithology_hierarchy_mapping.csv")
    assert len(reference) == 139
    mapping = map_labels_by_rules(reference["Principal_Lithology"], default_rules)
    expected = dict(
        zip(reference["Principal_Lithology"], reference["Lithology_Group"], strict=True)
    )
    differences = {k: (mapping[k], v) for k, v in expected.items() if mapping[k] != v}
    assert differences == {}
    table = hierarchy_table(reference.set_index("Principal_Lithology")["Count"], mapping)
    merged = table.merge(reference, on="Principal_Lithology", suffixes=("", "_ref"))
    assert (merged["Count"] == merged["Count_ref"]).all()
    pd.testing.assert_series_equal(
        merged["Percentage"], merged["Percentage_ref"], check_names=False, rtol=1e-12
    )
    assert table["Lithology_Group"].nunique() == 14


def test_hierarchy_table_columns_order_and_percentages():
    counts = pd.Series({"b": 5, "a": 5, "c": 10})
    table = hierarchy_table(counts, {"a": "G1", "b": "G2", "c": "G1"})
    assert tuple(table.columns) == MAPPING_COLUMNS
    assert table["Principal_Lithology"].tolist() == ["c", "a", "b"]  # count desc, then name
    assert table["Percentage"].tolist() == pytest.approx([50.0, 25.0, 25.0])


def test_build_hierarchy_counts_rows(default_rules):
    labels = pd.Series(["clay"] * 3 + ["chalk"] * 2 + ["basalt"])
    table = build_hierarchy(labels, default_rules)
    assert table.set_index("Principal_Lithology")["Count"].to_dict() == {
        "clay": 3,
        "chalk": 2,
        "basalt": 1,
    }
    assert table.set_index("Principal_Lithology")["Lithology_Group"]["basalt"] == "Mafic Igneous"


def _write_mapping(path, rows):
    write_csv(path, pd.DataFrame(rows, columns=["Principal_Lithology", "Lithology_Group"]))


def test_user_mapping_csv_replaces_the_rules(tmp_path, default_rules):
    path = tmp_path / "mine.csv"
    _write_mapping(path, [("clay", "Fine"), ("chalk", "Carbonate"), ("NA", "Odd")])
    assert read_mapping(path) == {"clay": "Fine", "chalk": "Carbonate", "NA": "Odd"}
    rules = HierarchyRules(
        groups=default_rules.groups,
        exact_match_group="Other",
        exact_match_labels=(),
        unclassified_group="Unclassified",
        mapping_csv=str(path),
    )
    table = build_hierarchy(pd.Series(["clay", "clay", "NA"]), rules)
    assert table.set_index("Principal_Lithology")["Lithology_Group"].to_dict() == {
        "clay": "Fine",
        "NA": "Odd",
    }


def test_user_mapping_missing_labels_lists_all_of_them(tmp_path):
    path = tmp_path / "mine.csv"
    _write_mapping(path, [("clay", "Fine")])
    missing = [f"label_{i:02d}" for i in range(12)]
    with pytest.raises(InputDataError) as error:
        map_labels_by_csv(["clay", *missing], read_mapping(path), str(path))
    message = str(error.value)
    assert "12 label(s)" in message and str(path) in message
    assert all(label in message for label in missing)  # every one, not the first ten


def test_user_mapping_csv_errors(tmp_path):
    with pytest.raises(InputDataError, match="not found"):
        read_mapping(tmp_path / "absent.csv")
    bad_columns = tmp_path / "bad.csv"
    bad_columns.write_text("label,group\nclay,Fine\n")
    with pytest.raises(InputDataError, match="Lithology_Group"):
        read_mapping(bad_columns)
    conflict = tmp_path / "conflict.csv"
    _write_mapping(conflict, [("clay", "Fine"), ("clay", "Coarse")])
    with pytest.raises(InputDataError, match="more than one group"):
        read_mapping(conflict)


def test_read_hierarchy_table_round_trip_and_groups_of(tmp_path):
    table = hierarchy_table(pd.Series({"NA": 2, "clay": 1}), {"NA": "Odd", "clay": "Fine"})
    path = tmp_path / "mapping.csv"
    write_csv(path, table)
    back = read_hierarchy_table(path)
    assert back["Principal_Lithology"].tolist() == ["NA", "clay"]
    groups = groups_of(pd.Series(["clay", "NA"]), read_mapping(path))
    assert groups.tolist() == ["Fine", "Odd"]
    with pytest.raises(InputDataError, match="missing from the hierarchy"):
        groups_of(pd.Series(["sand"]), read_mapping(path))
