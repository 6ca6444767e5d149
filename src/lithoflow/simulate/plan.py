"""The simulated world: every hole's coring, sections, coverage and described intervals.

The world is always planned for the full real hole list (so a hole looks the same at every scale);
scales only choose which holes, and which depth window of them, become raw rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from lithoflow.simulate.boreholes import (
    CoverageConfig,
    boost_recovery,
    build_catalogue,
    layout_cores,
    layout_sections,
    mark_coverage,
    plan_coring,
)
from lithoflow.simulate.calibration import CalibrationFacts
from lithoflow.simulate.lithology import (
    AllocationConfig,
    ModifierTable,
    Vocabulary,
    allocate_six_feature_bins,
    build_modifiers,
    build_vocabulary,
    co_description_partners,
    compose_other_hole,
    draw_modifiers,
    parse_settings,
    plan_runs,
    setting_matrix,
)
from lithoflow.simulate.properties import HARDNESS, Signatures, resolve_signatures

logger = logging.getLogger(__name__)

BIN_M = 0.2
CONTACT_SNAP_MM = 50  # described contacts sit on whole 5-cm offsets
# Streams of the world's random generators: np.random.default_rng([seed, stream, ...]).
STREAM_CATALOGUE, STREAM_ALLOCATION, STREAM_STRUCTURE, STREAM_RUNS = 0, 1, 2, 3
STREAM_COMPOSITION = 7


@dataclass(frozen=True)
class PlanConfig:
    """Knobs of the world plan."""

    allocation: AllocationConfig = field(default_factory=AllocationConfig)
    coverage: CoverageConfig = field(default_factory=CoverageConfig)
    co_described_rate: float = 0.09  # share of sedimentary intervals described as two lithologies
    other_hole_fill: float = 0.75  # expected recovered share used to size non-six-feature holes
    site_setting_concentration: float = 8.0


@dataclass(frozen=True)
class HolePlan:
    """One hole: its cores, sections (with coverage flags) and described intervals.

    Runs are laid on the curated coordinate: run r covers [bounds[r-1], bounds[r]) in mm, with the
    first run starting at 0 and the last ending at the hole's curated length.
    """

    index: int
    cores: pd.DataFrame
    sections: pd.DataFrame
    run_class: np.ndarray
    run_bounds_mm: np.ndarray  # interior boundaries, strictly increasing
    run_prefix: list[str]
    run_suffix: list[str]
    run_partner: np.ndarray  # co-described lithology of each run, -1 if none

    @property
    def length_mm(self) -> int:
        s = self.sections
        return int(s["c_top_mm"].iloc[-1] + s["length_mm"].iloc[-1]) if len(s) else 0

    def depth_of_c(self, c_mm: np.ndarray) -> np.ndarray:
        """CSF-A depth (m) of curated positions."""
        s = self.sections
        k = np.clip(np.searchsorted(s["c_top_mm"].to_numpy(), c_mm, side="right") - 1, 0, None)
        return s["top_m"].to_numpy()[k] + (c_mm - s["c_top_mm"].to_numpy()[k]) / 1000.0


@dataclass(frozen=True)
class World:
    """Everything the row generator needs."""

    catalogue: pd.DataFrame
    vocab: Vocabulary
    signatures: Signatures
    modifiers: ModifierTable
    holes: list[HolePlan]
    class_depth_m: np.ndarray  # median depth of each class over the world (compaction centre)
    budgets: np.ndarray  # (holes x classes) planned bins: six-feature bins or, else, GRA bins


def random_split_test_holes(hole_ids: list[str]) -> set[str]:
    """The investigation's random test holes (docs/investigation.md §4a): sorted ids, 85% / rs
    42."""
    _, test = train_test_split(sorted(hole_ids), train_size=0.85, random_state=42)
    return set(test)


def hole_affinities(
    catalogue: pd.DataFrame, settings: list[str], matrix: np.ndarray, concentration: float, rng
) -> np.ndarray:
    """(holes x classes) affinity: each site perturbs its expedition's setting weights."""
    out = np.zeros((len(catalogue), matrix.shape[1]))
    for (_exp, _site), idx in catalogue.groupby(["exp", "site"], sort=True).groups.items():
        weights = parse_settings(catalogue.loc[idx[0], "settings"])
        names = list(weights)
        base = np.array([weights[n] for n in names])
        drawn = rng.dirichlet(base / base.sum() * concentration + 1e-3)
        row = sum(w * matrix[settings.index(n)] for n, w in zip(names, drawn, strict=True))
        out[np.asarray(idx)] = row
    return out


def _lay_runs(
    run_plan_bins: np.ndarray, planning_mm: np.ndarray, c_top_mm: np.ndarray, length_mm: np.ndarray
) -> np.ndarray:
    """Interior run boundaries (curated mm) that give each run its share of the planning length."""
    total_plan = planning_mm.sum()
    if len(run_plan_bins) <= 1 or total_plan <= 0:
        return np.zeros(0, dtype=np.int64)
    frac = np.cumsum(run_plan_bins)[:-1] / run_plan_bins.sum()
    target = frac * total_plan
    cum_end = np.cumsum(planning_mm)
    k = np.searchsorted(cum_end, target, side="left")
    offset = target - (cum_end[k] - planning_mm[k])
    offset = np.clip(np.round(offset / CONTACT_SNAP_MM) * CONTACT_SNAP_MM, 0, length_mm[k])
    return (c_top_mm[k] + offset).astype(np.int64)


def _clean_runs(
    run_class: np.ndarray, bounds: np.ndarray, length_mm: int
) -> tuple[np.ndarray, np.ndarray]:
    """Drop runs that ended up empty (two contacts snapped to the same offset)."""
    edges = np.concatenate([[0], bounds, [length_mm]])
    keep = np.diff(edges) > 0
    keep[-1] = keep[-1] or not keep.any()
    return run_class[keep], edges[:-1][keep][1:].astype(np.int64)


def build_world(facts: CalibrationFacts, seed: int, cfg: PlanConfig | None = None) -> World:
    """Plan every real hole: class budgets, coring, sections, coverage and described intervals."""
    cfg = cfg or PlanConfig()
    catalogue = build_catalogue(facts, np.random.default_rng([seed, STREAM_CATALOGUE]))
    vocab = build_vocabulary(facts)
    sig = resolve_signatures(facts, vocab)
    modifiers = build_modifiers(facts, vocab)
    partners = co_description_partners(vocab)
    settings, matrix = setting_matrix(facts, vocab)
    alloc_rng = np.random.default_rng([seed, STREAM_ALLOCATION])
    affinity = hole_affinities(
        catalogue, settings, matrix, cfg.site_setting_concentration, alloc_rng
    )

    six = catalogue.index[catalogue["is_six"]].to_numpy()
    six_ids = catalogue.loc[six, "borehole_id"].tolist()
    test_ids = random_split_test_holes(six_ids)
    test_mask = np.array([h in test_ids for h in six_ids])
    test_totals = {
        vocab.index(name): count
        for name, count in facts.reference["random_split"]["test_top_classes"].items()
    }
    class_totals = np.zeros(vocab.n_classes, dtype=np.int64)
    class_totals[: vocab.n_six] = vocab.real_bins[: vocab.n_six]
    six_affinity = affinity[six].copy()
    six_affinity[:, vocab.n_six :] = 0.0
    budgets = np.zeros((len(catalogue), vocab.n_classes), dtype=np.int64)
    budgets[six] = allocate_six_feature_bins(
        catalogue.loc[six, "six_bins"].to_numpy(),
        six_affinity,
        catalogue["site"].to_numpy()[six],
        class_totals,
        test_mask,
        test_totals,
        cfg.allocation,
        alloc_rng,
    )
    context = _HoleContext(vocab, sig, modifiers, partners, cfg, seed)
    holes: list[HolePlan] = []
    for h, row in enumerate(catalogue.itertuples(index=False)):
        if not row.is_six:
            span = max(row.bottom_m - row.top_m, 0.0)
            capacity = max(int(span * cfg.other_hole_fill / BIN_M), 1)
            run_rng = np.random.default_rng([seed, STREAM_COMPOSITION, h])
            budgets[h] = compose_other_hole(capacity, affinity[h], run_rng)
        holes.append(_plan_hole(h, row, budgets[h], context))
    class_depth = _class_median_depths(holes, vocab.n_classes)
    return World(catalogue, vocab, sig, modifiers, holes, class_depth, budgets)


@dataclass(frozen=True)
class _HoleContext:
    """What every hole's plan needs from the world."""

    vocab: Vocabulary
    signatures: Signatures
    modifiers: ModifierTable
    partners: np.ndarray
    cfg: PlanConfig
    seed: int


def _plan_hole(h: int, row, budgets: np.ndarray, ctx: _HoleContext) -> HolePlan:
    """Runs, coring, sections, coverage and described intervals of catalogue hole `h`."""
    sig, cfg = ctx.signatures, ctx.cfg
    rng = np.random.default_rng([ctx.seed, STREAM_STRUCTURE, h])
    run_rng = np.random.default_rng([ctx.seed, STREAM_RUNS, h])
    total = max(int(budgets.sum()), 1)
    runs = plan_runs(budgets, sig.run_bins, sig.rank, run_rng)
    loose = budgets[sig.hardness <= HARDNESS.index("medium")].sum() / total
    rock = budgets[sig.hardness == HARDNESS.index("rock")].sum() / total
    core_plan = plan_coring(row.top_m, row.bottom_m, row.exp, float(loose), float(rock), rng)
    cores = layout_cores(row.top_m, row.bottom_m, core_plan, rng)
    six_target_mm = None
    six_range = None
    if row.is_six:
        imaged_m = row.six_bins * BIN_M * cfg.coverage.rgb_edge_factor
        cores = boost_recovery(
            cores, imaged_m / cfg.coverage.rgb_imaged_share, row.six_top_m, row.six_bottom_m
        )
        six_target_mm = imaged_m * 1000
        six_range = (row.six_top_m, row.six_bottom_m)
    sections = layout_sections(cores, cfg.coverage.core_catcher_probability, rng)
    sections = mark_coverage(
        sections, row.has_ngr, row.has_rgb, six_target_mm, six_range, cfg.coverage, rng
    )
    # Interval lengths are planned in six-feature bins (imaged core with NGR) for the six-feature
    # holes, so their binned class counts land on the budgets, else in described core.
    length = sections["length_mm"].to_numpy()
    if row.is_six:
        planning = np.where(sections["imaged"] & sections["has_ngr"], length, 0)
    else:
        planning = np.where(sections["described"], length, 0)
    bounds = _lay_runs(runs.planned_bins, planning, sections["c_top_mm"].to_numpy(), length)
    run_class, bounds = _clean_runs(runs.class_id, bounds, int(length.sum()))
    prefix, suffix = draw_modifiers(run_class, ctx.modifiers, run_rng)
    sedimentary = ctx.vocab.lithology_type[run_class] == "sedimentary"
    co = (run_rng.random(len(run_class)) < cfg.co_described_rate) & sedimentary
    run_partner = np.where(co, ctx.partners[run_class], -1)
    return HolePlan(h, cores, sections, run_class, bounds, prefix, suffix, run_partner)


def _class_median_depths(holes: list[HolePlan], n_classes: int) -> np.ndarray:
    """Length-weighted median depth of each class over all holes (150 m where absent)."""
    depths: list[np.ndarray] = []
    classes: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for plan in holes:
        edges = np.concatenate([[0], plan.run_bounds_mm, [plan.length_mm]])
        mid = (edges[:-1] + edges[1:]) // 2
        depths.append(plan.depth_of_c(mid))
        classes.append(plan.run_class)
        weights.append(np.diff(edges).astype(float))
    d = np.concatenate(depths)
    c = np.concatenate(classes)
    w = np.concatenate(weights)
    out = np.full(n_classes, 150.0)
    order = np.lexsort((d, c))
    d, c, w = d[order], c[order], w[order]
    starts = np.searchsorted(c, np.arange(n_classes), side="left")
    ends = np.searchsorted(c, np.arange(n_classes), side="right")
    for j in range(n_classes):
        if ends[j] > starts[j]:
            cw = np.cumsum(w[starts[j] : ends[j]])
            out[j] = d[starts[j] : ends[j]][np.searchsorted(cw, cw[-1] / 2)]
    return out
