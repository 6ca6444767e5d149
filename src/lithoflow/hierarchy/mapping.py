"""The lithology hierarchy: each label (LILY Principal) mapped to a lithology group.

Two sources, chosen by the config section `hierarchy`:

- keyword rules (the investigation's `create_lithology_hierarchy.py`, docs/investigation.md §6):
groups
  are tried in order and the first group with a keyword that is a case-insensitive substring of the
  label wins; labels matching no keyword go to the catch-all group if they equal
  (case-insensitively) one of its exact labels; anything left goes to the unclassified group, with
  a warning naming them;
- a user mapping CSV (`hierarchy.mapping_csv`, columns Principal_Lithology and Lithology_Group);
  every label of the data must be in it, otherwise the error lists all missing labels.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from lithoflow.core.errors import ConfigError, InputDataError, format_list

logger = logging.getLogger(__name__)

LABEL_COLUMN = "Principal_Lithology"
GROUP_COLUMN = "Lithology_Group"
MAPPING_COLUMNS: tuple[str, ...] = (LABEL_COLUMN, GROUP_COLUMN, "Count", "Percentage")
# The data-driven mapping's group for labels it could not place (no fitting row): not a group.
UNSEEN_GROUP = "Unseen in training"


@dataclass(frozen=True)
class GroupRule:
    """One group and the keywords that send a label to it."""

    name: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class HierarchyRules:
    """Keyword rules (ordered groups, catch-all exact matches, unclassified) or a mapping CSV."""

    groups: tuple[GroupRule, ...]
    exact_match_group: str
    exact_match_labels: tuple[str, ...]
    unclassified_group: str
    mapping_csv: str = ""  # empty: use the keyword rules

    @classmethod
    def from_config(cls, hierarchy: Mapping[str, Any]) -> HierarchyRules:
        """Build from the validated config section `hierarchy`."""
        groups = tuple(
            GroupRule(name=str(g["name"]), keywords=tuple(str(k) for k in g["keywords"]))
            for g in hierarchy["groups"]
        )
        names = [g.name for g in groups]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ConfigError(f"config key hierarchy.groups: group names used twice: {duplicated}")
        exact = hierarchy["exact_match"]
        return cls(
            groups=groups,
            exact_match_group=str(exact["group"]),
            exact_match_labels=tuple(str(label) for label in exact["labels"]),
            unclassified_group=str(hierarchy["unclassified_group"]),
            mapping_csv=str(hierarchy["mapping_csv"] or ""),
        )

    @property
    def group_names(self) -> tuple[str, ...]:
        """All groups the rules can produce, in rule order (catch-all and unclassified last)."""
        names = [g.name for g in self.groups]
        for extra in (self.exact_match_group, self.unclassified_group):
            if extra not in names:
                names.append(extra)
        return tuple(names)


def classify_label(label: str, rules: HierarchyRules) -> str | None:
    """The group of one label under the keyword rules, or None if no rule matches."""
    text = label.lower()
    for group in rules.groups:
        if any(keyword.lower() in text for keyword in group.keywords):
            return group.name
    exact = {name.strip().lower() for name in rules.exact_match_labels}
    if text.strip() in exact:
        return rules.exact_match_group
    return None


def map_labels_by_rules(labels: Iterable[str], rules: HierarchyRules) -> dict[str, str]:
    """Map labels to groups with the keyword rules; unmatched ones go to the unclassified group."""
    mapping: dict[str, str] = {}
    unmatched: list[str] = []
    for label in sorted(set(labels)):
        group = classify_label(label, rules)
        if group is None:
            unmatched.append(label)
            group = rules.unclassified_group
        mapping[label] = group
    if unmatched:
        logger.warning(
            "%d label(s) match no hierarchy rule and go to %r: %s",
            len(unmatched),
            rules.unclassified_group,
            format_list(unmatched, limit=len(unmatched)),
        )
    return mapping


def read_mapping(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read a mapping CSV (columns Principal_Lithology, Lithology_Group; others ignored)."""
    if not os.path.exists(path):
        raise InputDataError("hierarchy mapping CSV not found", path=str(path))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in (LABEL_COLUMN, GROUP_COLUMN) if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"mapping CSV lacks columns {format_list(missing)} "
            f"(found {format_list(frame.columns)})",
            path=str(path),
        )
    empty = frame[GROUP_COLUMN].str.strip() == ""
    if empty.any():
        raise InputDataError(
            "labels without a group", path=str(path), column=GROUP_COLUMN, examples=frame[empty]
        )
    pairs = frame[[LABEL_COLUMN, GROUP_COLUMN]].drop_duplicates()
    conflicting = pairs[pairs[LABEL_COLUMN].duplicated(keep=False)]
    if len(conflicting):
        raise InputDataError(
            "labels mapped to more than one group",
            path=str(path),
            column=LABEL_COLUMN,
            examples=conflicting.sort_values(LABEL_COLUMN),
        )
    return dict(zip(pairs[LABEL_COLUMN], pairs[GROUP_COLUMN], strict=True))


def map_labels_by_csv(
    labels: Iterable[str], mapping: Mapping[str, str], path: str = "<mapping>"
) -> dict[str, str]:
    """Map labels with a user mapping; a label missing from it is an error listing all of them."""
    wanted = sorted(set(labels))
    missing = [label for label in wanted if label not in mapping]
    if missing:
        raise InputDataError(
            f"{len(missing)} label(s) of the data are missing from the mapping CSV; add them: "
            f"{format_list(missing, limit=len(missing))}",
            path=path,
            column=LABEL_COLUMN,
        )
    return {label: mapping[label] for label in wanted}


def map_labels(labels: Iterable[str], rules: HierarchyRules) -> dict[str, str]:
    """Map labels to groups with the mapping CSV if one is configured, else with the rules."""
    if rules.mapping_csv:
        return map_labels_by_csv(labels, read_mapping(rules.mapping_csv), rules.mapping_csv)
    return map_labels_by_rules(labels, rules)


def hierarchy_table(label_counts: pd.Series, label_to_group: Mapping[str, str]) -> pd.DataFrame:
    """The mapping table: label, group, row count and percentage of all rows.

    Sorted by count (descending), then label; columns Principal_Lithology, Lithology_Group, Count,
    Percentage.
    """
    counts = label_counts.astype("int64")
    total = int(counts.sum())
    frame = pd.DataFrame(
        {
            LABEL_COLUMN: counts.index.astype(str),
            GROUP_COLUMN: [label_to_group[label] for label in counts.index],
            "Count": counts.to_numpy(),
        }
    )
    frame["Percentage"] = frame["Count"] / total * 100.0 if total else 0.0
    frame = frame.sort_values(["Count", LABEL_COLUMN], ascending=[False, True], kind="mergesort")
    return frame.reset_index(drop=True)[list(MAPPING_COLUMNS)]


def build_hierarchy(labels: pd.Series, rules: HierarchyRules) -> pd.DataFrame:
    """The mapping table of the labels of a dataset (one entry per row of the data)."""
    counts = labels.astype(str).value_counts()
    mapping = map_labels(counts.index, rules)
    table = hierarchy_table(counts, mapping)
    summary = table.groupby(GROUP_COLUMN)["Count"].agg(["size", "sum"])
    logger.info(
        "hierarchy: %d labels in %d groups (%s)",
        len(table),
        table[GROUP_COLUMN].nunique(),
        "mapping CSV" if rules.mapping_csv else "keyword rules",
    )
    for group, row in summary.sort_values("sum", ascending=False).iterrows():
        logger.info("  %s: %d labels, %d rows", group, row["size"], row["sum"])
    return table


def read_hierarchy_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read the mapping table written by the hierarchy rule (labels kept verbatim, e.g. "NA")."""
    frame = pd.read_csv(
        path, dtype={LABEL_COLUMN: str, GROUP_COLUMN: str}, keep_default_na=False, na_values=[]
    )
    missing = [c for c in MAPPING_COLUMNS if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"hierarchy table lacks columns {format_list(missing)}", path=str(path)
        )
    return frame[list(MAPPING_COLUMNS)]


def groups_of(
    labels: pd.Series, label_to_group: Mapping[str, str], path: str | None = None
) -> pd.Series:
    """The group of each label; labels without a group are an error counting their rows."""
    text = labels.astype(str)
    unique = pd.Index(text.unique())
    missing = [label for label in unique if label not in label_to_group]
    if missing:
        rows = int(text.isin(missing).sum())
        raise InputDataError(
            f"{rows} row(s) of {len(missing)} label(s) missing from the hierarchy mapping: "
            f"{format_list(sorted(missing))}",
            path=path,
        )
    return text.map(label_to_group)
