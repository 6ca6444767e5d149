"""Scales: which holes, and which depth window of each, become raw rows.

``full`` writes every real hole over its whole depth (≈ the real LILY row counts); ``medium`` a
third of the holes of each expedition; ``small`` (the default) one six-feature hole per RGB
expedition plus a few older and RGB-only holes, cut to 190-m windows (older holes 120 m);
``tiny`` (tests) a dozen holes cut to ~20 m windows chosen to hold several lithologies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lithoflow.core.errors import ConfigError
from lithoflow.simulate.plan import HolePlan, World
from lithoflow.simulate.tables import HoleWindow

STREAM_SCALE = 6
# Holes every tiny and small selection keeps: the gabbro hole (Atlantis Bank) and the one
# expedition written as a string ("368X"), so the quirks and the rare classes are present.
KEPT_HOLES = ("360-U1473-A", "368X-U1503-A")


@dataclass(frozen=True)
class ScaleSpec:
    """How much of the world a scale writes."""

    name: str
    six_holes_per_expedition: int | None  # None: every hole
    expedition_fraction: float  # share of each expedition's holes (medium)
    other_holes: int  # holes outside the six-feature set (older expeditions)
    rgb_only_holes: int  # era holes with RGB but no NGR
    window_m: float | None  # depth window per six-feature hole (None: whole hole)
    other_window_m: float | None  # depth window of the other holes
    diverse_window: bool  # pick the window with the most lithologies (else random)


SCALES: dict[str, ScaleSpec] = {
    "tiny": ScaleSpec("tiny", 1, 0.0, 3, 1, 21.0, 21.0, True),
    "small": ScaleSpec("small", 1, 0.0, 6, 1, 190.0, 120.0, False),
    "medium": ScaleSpec("medium", None, 1.0 / 3.0, 0, 0, None, None, False),
    "full": ScaleSpec("full", None, 1.0, 0, 0, None, None, False),
}

TINY_EXPEDITIONS = ("346", "354", "359", "363", "374")


def scale_spec(scale: str) -> ScaleSpec:
    """The spec of a named scale (ConfigError naming simulate.scale if unknown)."""
    if scale not in SCALES:
        raise ConfigError(f"config key simulate.scale: {scale!r} is not one of {', '.join(SCALES)}")
    return SCALES[scale]


def _window(
    plan: HolePlan, window_m: float | None, diverse: bool, rng: np.random.Generator
) -> np.ndarray:
    """Section mask of the depth window kept for a hole."""
    sections = plan.sections
    if window_m is None or len(sections) == 0:
        return np.ones(len(sections), dtype=bool)
    core_top = plan.cores["top_m"].to_numpy()
    bottom = float((sections["top_m"] + sections["length_mm"] / 1000.0).max())
    starts = core_top[core_top <= max(bottom - window_m, core_top[0])]
    sec_core_top = core_top[sections["core_idx"].to_numpy()]
    if diverse:
        edges = np.concatenate([[0], plan.run_bounds_mm, [plan.length_mm]])
        scores = []
        for start in starts:
            mask = (sec_core_top >= start) & (sec_core_top < start + window_m)
            lo = sections["c_top_mm"][mask].min()
            hi = (sections["c_top_mm"] + sections["length_mm"])[mask].max()
            runs = (edges[1:] > lo) & (edges[:-1] < hi)
            scores.append(len(np.unique(plan.run_class[runs])) * 10 + runs.sum() / 1000)
        start = starts[int(np.argmax(scores))]
    else:
        imaged = sections["imaged"].to_numpy() | ~sections["imaged"].to_numpy().any()
        weights = np.array(
            [
                (imaged & (sec_core_top >= s) & (sec_core_top < s + window_m)).sum() + 1e-3
                for s in starts
            ]
        )
        start = rng.choice(starts, p=weights / weights.sum())
    return (sec_core_top >= start) & (sec_core_top < start + window_m)


def select_windows(world: World, spec: ScaleSpec, seed: int) -> list[HoleWindow]:
    """The hole windows a scale writes, in catalogue order."""
    rng = np.random.default_rng([seed, STREAM_SCALE])
    cat = world.catalogue
    if spec.six_holes_per_expedition is None:
        chosen = []
        for _exp, idx in cat.groupby("exp", sort=True).groups.items():
            idx = np.asarray(idx)
            k = int(np.ceil(len(idx) * spec.expedition_fraction))
            chosen += list(rng.choice(idx, size=k, replace=False)) if k < len(idx) else list(idx)
    else:
        kept = set(cat.index[cat["borehole_id"].isin(KEPT_HOLES)])
        chosen = list(kept)
        six = cat[cat["is_six"] & ~cat.index.isin(kept)]
        kept_exps = set(cat.loc[list(kept), "exp"])
        for exp, idx in six.groupby("exp", sort=True).groups.items():
            if exp in kept_exps or (spec.name == "tiny" and exp not in TINY_EXPEDITIONS):
                continue
            idx = np.asarray(idx)
            weights = np.sqrt(cat.loc[idx, "six_bins"].to_numpy().astype(float))
            weights = np.where(cat.loc[idx, "six_bins"].to_numpy() >= 100, weights, 1e-6)
            chosen += list(rng.choice(idx, size=1, p=weights / weights.sum()))
        rgb_only = cat.index[cat["has_rgb"] & ~cat["has_ngr"]].to_numpy()
        spans = (cat.loc[rgb_only, "bottom_m"] - cat.loc[rgb_only, "top_m"]).to_numpy()
        chosen += list(rgb_only[np.argsort(-spans, kind="stable")[: spec.rgb_only_holes]])
        older = cat[~cat["has_rgb"] & (cat["bottom_m"] - cat["top_m"] > 30.0)]
        exps = sorted(older["exp"].unique())
        for exp in rng.permutation(exps)[: spec.other_holes]:
            chosen.append(int(rng.choice(older.index[older["exp"] == exp].to_numpy())))
    windows = []
    for h in sorted(int(i) for i in chosen):
        plan = world.holes[h]
        six = bool(cat.loc[h, "is_six"])
        window_m = spec.window_m if six else spec.other_window_m
        windows.append(HoleWindow(plan, _window(plan, window_m, spec.diverse_window, rng)))
    return windows
