"""Hole catalogue, coring (cores, core types, recovery), sections and per-section coverage.

The catalogue is the real list of 534 LILY GRA holes with their depth ranges; the 296 holes that
have all six features keep their real six-feature bin counts as targets. Coring follows IODP
practice: APC from the top to refusal, then HLAPC (some expeditions) and XCB, or RCB throughout
for hard-rock and deep holes; ~9.5 m cores are cut into 1.5 m sections plus sometimes a core
catcher ("CC").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from lithoflow.simulate.calibration import CalibrationFacts

CORE_ADVANCE_M = {"APC": 9.5, "HLAPC": 4.7, "XCB": 9.6, "RCB": 9.6}
CORE_LETTER = {"APC": "H", "HLAPC": "F", "XCB": "X", "RCB": "R"}
SECTION_LENGTH_MM = 1500
FIRST_RGB_EXPEDITION = 346  # RGB (SHIL images) only for Exp 346-379 (docs/calibration.md §2.2)
HARD_ROCK_EXPEDITIONS = {"335", "345", "360"}


def exp_number(exp: str) -> int:
    """318 from "318", 368 from "368X"."""
    return int(exp.rstrip("X"))


@dataclass(frozen=True)
class CoverageConfig:
    """Rates of sections without a table's data ([LOG] coverage, docs/calibration.md §2)."""

    undescribed_section_rate: float = 0.02  # ~2% of curated core has no lithology
    undescribed_core_rate: float = 0.12  # whole cores without rows outside the six-feature holes
    rgb_imaged_share: float = 0.95  # share of a six-feature hole's described core that is imaged
    no_ngr_section_rate: float = 0.008
    no_ms_section_rate: float = 0.001
    rgb_edge_factor: float = 1.04  # imaged length per target six-feature bin (x 0.2 m)
    core_catcher_probability: float = 0.35


def build_catalogue(facts: CalibrationFacts, rng: np.random.Generator) -> pd.DataFrame:
    """The hole list with coverage flags, position, water depth and expedition attributes.

    - ``is_six``: the 296 holes with all six features ([LOG]).
    - ``has_rgb``: Exp 346-379 only; the era holes outside the six-feature set have RGB but no
      NGR, except the shortest one (RGB in 304 holes, NGR missing in 10 [LOG]).
    - ``has_ngr``: all but 10 holes (the 8 RGB-only era holes and 2 older holes).
    Sites get a position inside the expedition's region box; sister holes sit within ~50 m.
    """
    holes = facts.holes.copy()
    exps = facts.expeditions.set_index("exp")
    holes["exp_number"] = holes["exp"].map(exp_number)
    holes["is_six"] = holes["six_bins"] > 0
    holes["exp_rank"] = holes["exp"].map({e: i for i, e in enumerate(sorted(exps.index))})
    era = holes["exp_number"] >= FIRST_RGB_EXPEDITION
    era_other = holes.index[era & ~holes["is_six"]]
    no_rgb = holes.loc[era_other, "bottom_m"].sub(holes.loc[era_other, "top_m"]).idxmin()
    holes["has_rgb"] = era & (holes.index != no_rgb)
    holes["has_ngr"] = True
    holes.loc[era_other.drop(no_rgb), "has_ngr"] = False
    older = holes.index[~era].to_numpy()
    holes.loc[rng.choice(older, size=2, replace=False), "has_ngr"] = False

    lat = np.zeros(len(holes))
    lon = np.zeros(len(holes))
    water = np.zeros(len(holes))
    for (exp, _site), idx in holes.groupby(["exp", "site"], sort=True).groups.items():
        box = exps.loc[exp]
        site_lat = rng.uniform(box["lat_min"], box["lat_max"])
        site_lon = rng.uniform(box["lon_min"], box["lon_max"])
        site_water = rng.uniform(box["water_depth_min_m"], box["water_depth_max_m"])
        n = len(idx)
        lat[idx] = np.round(site_lat + rng.normal(0, 0.0004, n), 6)
        lon[idx] = np.round(site_lon + rng.normal(0, 0.0004, n), 6)
        water[idx] = np.round(site_water + rng.normal(0, 2.0, n), 2)
    holes["latitude"] = lat
    holes["longitude"] = lon
    holes["water_depth_m"] = water
    for column in ("settings", "gra_spacing_cm", "hlapc_type_letter", "start_date", "end_date"):
        holes[column] = holes["exp"].map(exps[column])
    return holes


@dataclass(frozen=True)
class CorePlan:
    """How a hole is cored: style, APC refusal and HLAPC interval (depths in m CSF-A)."""

    style: str  # "apc" (APC, HLAPC, XCB) or "rcb"
    apc_bottom_m: float
    hlapc_bottom_m: float
    hard_fraction: float  # share of the hole in hard-rock lithologies (drives RCB recovery)


def plan_coring(
    top_m: float,
    bottom_m: float,
    exp: str,
    unconsolidated_share: float,
    hard_fraction: float,
    rng: np.random.Generator,
) -> CorePlan:
    """Choose the coring style of a hole from its depth range and planned lithologies."""
    span = max(bottom_m - top_m, 0.0)
    rcb = (
        exp in HARD_ROCK_EXPEDITIONS
        or hard_fraction > 0.5
        or top_m > 50.0
        or (bottom_m > 900.0 and rng.random() < 0.6)
    )
    if rcb:
        return CorePlan("rcb", top_m, top_m, hard_fraction)
    refusal = top_m + span * unconsolidated_share * rng.uniform(0.85, 1.3)
    refusal = float(np.clip(refusal, top_m + min(span, 40.0), top_m + 420.0))
    hlapc = refusal
    if exp_number(exp) >= 341 and rng.random() < 0.6:
        hlapc = refusal + rng.uniform(20.0, 90.0)
    return CorePlan("apc", refusal, hlapc, hard_fraction)


def _recovery(kind: str, hard_fraction: float, rng: np.random.Generator) -> float:
    if kind == "APC":
        return float(np.clip(rng.normal(1.03, 0.035), 0.9, 1.10))
    if kind == "HLAPC":
        return float(np.clip(rng.normal(1.01, 0.04), 0.85, 1.08))
    if kind == "XCB":
        return float(np.clip(rng.normal(0.8, 0.18), 0.1, 1.0))
    if rng.random() < hard_fraction:  # RCB in hard rock: bimodal ~16% / ~82% [PAPER]
        mode = 0.16 if rng.random() < 0.35 else 0.82
        return float(np.clip(rng.normal(mode, 0.08), 0.03, 1.0))
    return float(np.clip(rng.normal(0.68, 0.2), 0.05, 1.0))


def layout_cores(
    top_m: float, bottom_m: float, plan: CorePlan, rng: np.random.Generator
) -> pd.DataFrame:
    """Cores from the hole top to its bottom: number, type, top depth, advance, recovery."""
    rows = []
    depth = top_m
    number = 1
    while depth < bottom_m - 1e-6 or number == 1:
        if plan.style == "rcb":
            kind = "RCB"
        elif depth < plan.apc_bottom_m:
            kind = "APC"
        elif depth < plan.hlapc_bottom_m:
            kind = "HLAPC"
        else:
            kind = "XCB"
        advance = CORE_ADVANCE_M[kind]
        recovered = advance * _recovery(kind, plan.hard_fraction, rng)
        if depth + advance >= bottom_m:  # the last core ends at the deepest measurement
            recovered = max(bottom_m - depth, 0.05)
        rows.append((number, kind, depth, advance, recovered))
        depth += advance
        number += 1
    cores = pd.DataFrame(rows, columns=["core", "kind", "top_m", "advance_m", "recovered_m"])
    cores["letter"] = cores["kind"].map(CORE_LETTER)
    return cores


def boost_recovery(cores: pd.DataFrame, needed_m: float, lo_m: float, hi_m: float) -> pd.DataFrame:
    """Raise non-APC recoveries (up to 100%) so the cores in [lo, hi] recover `needed_m`."""
    cores = cores.copy()
    inside = (cores["top_m"] >= lo_m - 10.0) & (cores["top_m"] <= hi_m)
    have = cores.loc[inside, "recovered_m"].sum()
    if have >= needed_m:
        return cores
    room = inside & (cores["recovered_m"] < cores["advance_m"]) & (cores.index < len(cores) - 1)
    gap = (cores.loc[room, "advance_m"] - cores.loc[room, "recovered_m"]).sum()
    if gap <= 0:
        return cores
    share = min(1.0, (needed_m - have) / gap)
    cores.loc[room, "recovered_m"] += share * (
        cores.loc[room, "advance_m"] - cores.loc[room, "recovered_m"]
    )
    return cores


def layout_sections(
    cores: pd.DataFrame, p_core_catcher: float, rng: np.random.Generator
) -> pd.DataFrame:
    """Cut each core into 1.5 m sections (last one shorter) and sometimes a core catcher.

    Lengths are integer millimetres. ``c_top_mm`` is the curated coordinate: the position along
    the hole's recovered core laid end to end (monotonic, unlike CSF-A when recovery > 100%).
    """
    core_idx, labels, lengths, tops = [], [], [], []
    for i, core in enumerate(cores.itertuples(index=False)):
        total_mm = max(round(core.recovered_m * 1000), 10)
        cc_mm = 0
        if total_mm > 600 and rng.random() < p_core_catcher:
            cc_mm = int(rng.integers(10, 31)) * 10
        body = total_mm - cc_mm
        n_full, rest = divmod(body, SECTION_LENGTH_MM)
        parts = [SECTION_LENGTH_MM] * n_full
        if rest >= 100 or not parts:
            parts.append(rest)
        elif parts:
            parts[-1] += rest
        offset = 0
        for k, length in enumerate(parts, start=1):
            core_idx.append(i)
            labels.append(str(k))
            lengths.append(length)
            tops.append(core.top_m + offset / 1000.0)
            offset += length
        if cc_mm:
            core_idx.append(i)
            labels.append("CC")
            lengths.append(cc_mm)
            tops.append(core.top_m + offset / 1000.0)
    sections = pd.DataFrame(
        {"core_idx": core_idx, "sect": labels, "length_mm": lengths, "top_m": tops}
    )
    sections["length_mm"] = sections["length_mm"].astype(np.int64)
    sections["c_top_mm"] = np.concatenate([[0], np.cumsum(sections["length_mm"])[:-1]]).astype(
        np.int64
    )
    return sections


def _drop_cores(
    described: np.ndarray,
    core_idx: np.ndarray,
    length_mm: np.ndarray,
    candidates: np.ndarray,
    keep_mm: float | None,
    rate: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Mark whole cores undescribed (drilled, washed or never described intervals).

    With `keep_mm` set, cores among the candidate sections are dropped in random order while the
    described length stays above `keep_mm`; otherwise each core goes with probability `rate`.
    """
    described = described.copy()
    cores = np.unique(core_idx[candidates & (core_idx > 0)])
    if keep_mm is None:
        dropped = cores[rng.random(len(cores)) < rate]
        described[np.isin(core_idx, dropped)] = False
        return described
    have = float(length_mm[candidates & described].sum())
    for core in rng.permutation(cores):
        in_core = (core_idx == core) & candidates & described
        if have - length_mm[in_core].sum() < keep_mm:
            continue
        have -= length_mm[in_core].sum()
        described[core_idx == core] = False
    return described


def mark_coverage(
    sections: pd.DataFrame,
    has_ngr: bool,
    has_rgb: bool,
    six_target_mm: float | None,
    six_range_m: tuple[float, float] | None,
    cfg: CoverageConfig,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Flag each section: described (any rows at all), has MS, has NGR, imaged (RGB).

    About a quarter of a hole's cored depth carries no rows (recovery gaps, drilled intervals,
    undescribed cores: 85 km described of 117 km of hole ranges [LOG]). For six-feature holes,
    whole cores are left undescribed until the described length is about the real six-feature
    length / ``rgb_imaged_share``, then imaged sections are drawn in random order until their
    length reaches `six_target_mm`, so the hole lands on its real bin count.
    """
    n = len(sections)
    sections = sections.copy()
    length = sections["length_mm"].to_numpy()
    core_idx = sections["core_idx"].to_numpy()
    described = rng.random(n) >= cfg.undescribed_section_rate
    if n:
        described[0] = True
    in_range = np.ones(n, dtype=bool)
    if six_range_m is not None:
        bottom = (sections["top_m"] + length / 1000.0).to_numpy()
        in_range = (bottom > six_range_m[0]) & (sections["top_m"].to_numpy() < six_range_m[1] + 0.1)
    if six_target_mm is None:
        described = _drop_cores(
            described, core_idx, length, in_range, None, cfg.undescribed_core_rate, rng
        )
    else:
        described = _drop_cores(
            described, core_idx, length, in_range, six_target_mm / cfg.rgb_imaged_share, 0.0, rng
        )
    sections["described"] = described
    sections["has_ms"] = described & (rng.random(n) >= cfg.no_ms_section_rate)
    sections["has_ngr"] = described & has_ngr & (rng.random(n) >= cfg.no_ngr_section_rate)
    imaged = np.zeros(n, dtype=bool)
    if has_rgb:
        eligible = described & in_range
        if six_target_mm is None:
            imaged = eligible & (rng.random(n) < cfg.rgb_imaged_share)
        else:
            eligible &= sections["has_ngr"].to_numpy()
            order = rng.permutation(np.flatnonzero(eligible))
            cum = np.cumsum(length[order])
            take = int(np.searchsorted(cum, six_target_mm, side="left")) + 1
            imaged[order[:take]] = True
    sections["imaged"] = imaged
    return sections
