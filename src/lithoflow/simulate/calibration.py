"""The real LILY facts the simulator is calibrated on, loaded from the package data.

Every file lives in ``lithoflow/data/`` (see ``PROVENANCE.md`` there for where each number comes
from); the simulator never reads anything outside the package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import pandas as pd

# Every package data file the simulator reads (the simulate rule lists them as inputs).
CALIBRATION_FILES = (
    "borehole_total_depths.csv",
    "borehole_coverage_summary.csv",
    "lithology_class_distribution.csv",
    "lithology_hierarchy_mapping.csv",
    "L_principal_stats.csv",
    "extra_lithologies.csv",
    "derived_lily_paper_table3_MAD_by_principal.csv",
    "derived_rsc_full_lithology_L_means.csv",
    "expeditions.csv",
    "setting_affinities.csv",
    "signature_rules.csv",
    "reference_stats.json",
)
# borehole_coverage_summary.csv stores 0.2 x the true depths (docs/calibration.md §4).
COVERAGE_SUMMARY_DEPTH_FACTOR = 5.0


def _data_file(name: str) -> Any:
    return resources.files("lithoflow") / "data" / name


def read_data_csv(name: str) -> pd.DataFrame:
    """A packaged CSV as a DataFrame (empty fields stay empty strings only for text columns)."""
    with resources.as_file(_data_file(name)) as path:
        return pd.read_csv(path)


def read_reference_stats() -> dict[str, Any]:
    """The real reference figures (quantiles, correlations, coverage, counts) as a dict."""
    with resources.as_file(_data_file("reference_stats.json")) as path:
        return json.loads(path.read_text())


def split_hole_id(hole_id: str, sep: str) -> tuple[str, str, str]:
    """("318", "U1355", "A") from "318_U1355_A" (sep "_") or "318-U1355-A" (sep "-")."""
    exp, site, hole = hole_id.split(sep)
    return exp, site, hole


@dataclass(frozen=True)
class CalibrationFacts:
    """The packaged calibration facts, as tables.

    - ``holes``: the 534 real GRA holes (borehole_id "Exp-Site-Hole", exp, site, hole, top_m,
      bottom_m) with, for the 296 six-feature holes, ``six_bins`` (bins with all six features) and
      the six-feature depth range ``six_top_m``/``six_bottom_m`` (x5 depth fix applied).
    - ``classes``: the 139 six-feature principal lithologies with their real bin counts and group.
    - ``extra_classes``: principals seen in LILY outside the six-feature set (non-RGB holes).
    - ``mad``: LILY paper Table 3 MAD statistics per principal.
    - ``lightness``: reflectance L* statistics per principal (one row per principal, largest count).
    - ``modifiers``: real (principal, prefix, suffix) combinations.
    - ``expeditions``: per-expedition region box, dates, spacing and geological settings.
    - ``affinities``: setting -> lithology weights.
    - ``signature_rules``: physical-property rules (group, keyword, exact name).
    - ``reference``: the real reference figures (reference_stats.json).
    """

    holes: pd.DataFrame
    classes: pd.DataFrame
    extra_classes: pd.DataFrame
    mad: pd.DataFrame
    lightness: pd.DataFrame
    modifiers: pd.DataFrame
    expeditions: pd.DataFrame
    affinities: pd.DataFrame
    signature_rules: pd.DataFrame
    reference: dict[str, Any]


def load_holes() -> pd.DataFrame:
    """The real hole list with depth ranges and six-feature bin counts."""
    total = read_data_csv("borehole_total_depths.csv")
    parts = [split_hole_id(h, "_") for h in total["Borehole_ID"]]
    holes = pd.DataFrame(
        {
            "borehole_id": [f"{e}-{s}-{h}" for e, s, h in parts],
            "exp": [p[0] for p in parts],
            "site": [p[1] for p in parts],
            "hole": [p[2] for p in parts],
            "top_m": total["total_min_depth"].astype(float),
            "bottom_m": total["total_max_depth"].astype(float),
        }
    )
    coverage = read_data_csv("borehole_coverage_summary.csv")
    six = pd.DataFrame(
        {
            "borehole_id": coverage["borehole_id"],
            "six_bins": coverage["n_samples"].astype(int),
            "six_top_m": coverage["min_depth"] * COVERAGE_SUMMARY_DEPTH_FACTOR,
            "six_bottom_m": coverage["max_depth"] * COVERAGE_SUMMARY_DEPTH_FACTOR,
        }
    )
    holes = holes.merge(six, on="borehole_id", how="left", validate="one_to_one")
    holes["six_bins"] = holes["six_bins"].fillna(0).astype(int)
    return holes


def load_calibration() -> CalibrationFacts:
    """Load every packaged calibration table."""
    classes = read_data_csv("lithology_class_distribution.csv").rename(
        columns={"Lithology": "principal", "Count": "bins"}
    )
    mapping = read_data_csv("lithology_hierarchy_mapping.csv").rename(
        columns={"Principal_Lithology": "principal", "Lithology_Group": "group"}
    )
    classes = classes[["principal", "bins"]].merge(
        mapping[["principal", "group"]], on="principal", how="left", validate="one_to_one"
    )
    lightness = read_data_csv("L_principal_stats.csv")
    lightness = (
        lightness.sort_values(["Principal", "count"], ascending=[True, False])
        .drop_duplicates("Principal")
        .rename(columns={"Principal": "principal", "Lithology Subtype": "subtype"})
    )
    return CalibrationFacts(
        holes=load_holes(),
        classes=classes,
        extra_classes=read_data_csv("extra_lithologies.csv"),
        mad=read_data_csv("derived_lily_paper_table3_MAD_by_principal.csv"),
        lightness=lightness[["principal", "subtype", "mean", "rsd", "count"]],
        modifiers=read_data_csv("derived_rsc_full_lithology_L_means.csv"),
        expeditions=read_data_csv("expeditions.csv").astype({"exp": str}),
        affinities=read_data_csv("setting_affinities.csv"),
        signature_rules=read_data_csv("signature_rules.csv"),
        reference=read_reference_stats(),
    )
