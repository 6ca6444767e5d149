"""Lithology vocabulary, per-hole class budgets, described intervals and their LILY text columns.

The six-feature holes get their class budgets from a quota allocation (an iterative proportional
fit of hole capacities against the real class totals on a sparse, geology-driven support), so the
binned class proportions land on the real ones. Other holes draw a few lithologies from their
expedition's settings. Inside a hole, lithology is a sequence of piecewise-constant intervals
("runs"), stratigraphically ordered with interbedding at the transitions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lithoflow.simulate.calibration import CalibrationFacts

logger = logging.getLogger(__name__)

IGNEOUS_SUBTYPES = {"extrusive", "intrusive", "indeterminate"}
SEDIMENTARY_SUBTYPES = {"biogenic", "clastic", "other", "evaporite"}
IGNEOUS_GROUPS = {"Mafic Igneous", "Intermediate/Felsic Igneous", "Ultramafic", "Other"}

# Modifier usage by described metres [PAPER]: neither, prefix only, suffix only, both.
MODIFIER_USAGE = (0.39, 0.34, 0.17, 0.10)
GENERIC_PREFIXES = {
    "sedimentary": (
        "nannofossil-rich",
        "calcareous",
        "diatom-rich",
        "clayey",
        "planktic foraminifera-rich",
        "diatom-bearing",
        "silty",
        "sandy",
        "foraminifera-bearing",
    ),
    "igneous": (
        "aphyric",
        "olivine phyric",
        "highly plagioclase phyric",
        "sparsely plagioclase phyric",
        "moderately olivine-plagioclase phyric",
    ),
    "metamorphic": ("fine-grained", "foliated", "altered"),
}
GENERIC_SUFFIXES = {
    "sedimentary": (
        "with foraminifera",
        "with nannofossils",
        "with clay",
        "with silt",
        "with dispersed clasts",
        "with radiolarians",
        "with glauconite",
        "with ash",
    ),
    "igneous": ("pillow lava", "sheet flow", "massive flow"),
    "metamorphic": ("with veins",),
}
GENERIC_PREFIX_WEIGHTS = {"sedimentary": (8, 6, 5, 5, 4, 3, 2, 2, 1)}
GENERIC_SUFFIX_WEIGHTS = {"sedimentary": (25, 12, 10, 9, 7, 6, 5, 4)}


@dataclass(frozen=True)
class Vocabulary:
    """Every principal lithology the simulator can write, with its LILY text attributes.

    Index = class id. The first ``n_six`` classes are the 139 six-feature classes (real bin counts
    in ``real_bins``); the rest appear only in holes outside the six-feature set.
    """

    names: tuple[str, ...]
    group: np.ndarray  # str, physical-signature group
    real_bins: np.ndarray  # int, six-feature 20-cm bins in the real data (0 for extra classes)
    subtype: np.ndarray  # str, Lithology Subtype
    lithology_type: np.ndarray  # str, Lithology Type
    simplified: np.ndarray  # str, Simplified Lithology
    lightness_mean: np.ndarray  # float, mean reflectance L* (NaN where unknown)
    lightness_rsd: np.ndarray  # float, relative SD of L*
    n_six: int

    @property
    def n_classes(self) -> int:
        return len(self.names)

    def index(self, name: str) -> int:
        return self.names.index(name)


def simplified_lithology(name: str) -> str:
    """LILY's coarse "Simplified Lithology" for a principal (keyword rules, first match wins)."""
    rules = (
        ("interbedded silt and clay", "silt and clay"),
        ("interbedded sand and mud", "sand and mud"),
        ("interbedded", "silt/siltstone and mud/mudstone"),
        ("diamict", "diamict"),
        ("debris flow", "diamict"),
        ("ooze", "ooze"),
        ("chalk", "chalk"),
        ("diatomite", "diatomite"),
        ("wackestone", "limestone"),
        ("packstone", "limestone"),
        ("grainstone", "limestone"),
        ("rudstone", "limestone"),
        ("floatstone", "limestone"),
        ("boundstone", "limestone"),
        ("calcarenite", "limestone"),
        ("calcilutite", "limestone"),
        ("limestone", "limestone"),
        ("marl", "marl"),
        ("claystone", "claystone"),
        ("mudstone", "mudstone"),
        ("siltstone", "siltstone"),
        ("sandstone", "sandstone"),
        ("clay", "clay"),
        ("silt", "silt"),
        ("mud", "mud"),
        ("sand", "sand"),
        ("tuff", "tuff"),
        ("lapilli", "tuff"),
        ("ash", "ash"),
        ("tephra", "ash"),
    )
    lower = name.lower()
    for keyword, simple in rules:
        if keyword in lower:
            return simple
    return name


def _subtype_for(name: str, group: str, known: dict[str, str]) -> str:
    if name in known:
        return known[name]
    if group in ("Mafic Igneous", "Ultramafic", "Intermediate/Felsic Igneous"):
        return "intrusive" if any(k in name for k in ("gabbro", "ite", "dunite")) else "extrusive"
    if group == "Metamorphic":
        return name.split()[0]
    if group == "Volcaniclastic":
        return "extrusive"
    if group in ("Biogenic Silica",) or "ooze" in name:
        return "biogenic"
    return "clastic"


def _lithology_type(subtype: str, group: str) -> str:
    if subtype in SEDIMENTARY_SUBTYPES:
        return "sedimentary"
    if subtype in IGNEOUS_SUBTYPES:
        return "igneous"
    if group in IGNEOUS_GROUPS:
        return "igneous"
    return "metamorphic"


def build_vocabulary(facts: CalibrationFacts) -> Vocabulary:
    """The 139 six-feature classes (by real rank) followed by the extra LILY principals."""
    six = facts.classes.sort_values("bins", ascending=False, kind="stable")
    extra = facts.extra_classes
    names = [*six["principal"], *extra["principal"]]
    groups = [*six["group"], *extra["signature_group"]]
    real_bins = np.array([*six["bins"], *([0] * len(extra))], dtype=np.int64)
    light = facts.lightness.set_index("principal")
    known_subtype = light["subtype"].to_dict()
    subtypes = [_subtype_for(n, g, known_subtype) for n, g in zip(names, groups, strict=True)]
    return Vocabulary(
        names=tuple(names),
        group=np.array(groups, dtype=object),
        real_bins=real_bins,
        subtype=np.array(subtypes, dtype=object),
        lithology_type=np.array(
            [_lithology_type(s, g) for s, g in zip(subtypes, groups, strict=True)], dtype=object
        ),
        simplified=np.array([simplified_lithology(n) for n in names], dtype=object),
        lightness_mean=light["mean"].reindex(names).to_numpy(dtype=float),
        lightness_rsd=light["rsd"].reindex(names).to_numpy(dtype=float),
        n_six=len(six),
    )


# --------------------------------------------------------------------------------------------
# Geological settings: which lithologies a hole is likely to hold


def setting_matrix(facts: CalibrationFacts, vocab: Vocabulary) -> tuple[list[str], np.ndarray]:
    """Setting names and a (settings x classes) matrix of affinities, each row summing to 1."""
    aff = facts.affinities
    settings = sorted(aff["setting"].unique())
    matrix = np.zeros((len(settings), vocab.n_classes))
    position = {name: i for i, name in enumerate(vocab.names)}
    for row in aff.itertuples(index=False):
        matrix[settings.index(row.setting), position[row.lithology]] += float(row.weight)
    matrix /= matrix.sum(axis=1, keepdims=True)
    return settings, matrix


def parse_settings(text: str) -> dict[str, float]:
    """ "a:0.6;b:0.4" -> {"a": 0.6, "b": 0.4}."""
    pairs = (item.split(":") for item in text.split(";") if item)
    return {name.strip(): float(weight) for name, weight in pairs}


# --------------------------------------------------------------------------------------------
# Quota allocation of six-feature bins to holes


@dataclass(frozen=True)
class AllocationConfig:
    """Knobs of the six-feature class allocation (see PROVENANCE.md, [SIM] calibration)."""

    support_scale: float = 0.22  # holes per class: scale * bins ** exponent
    support_exponent: float = 0.62
    size_exponent: float = 0.3  # preference for large holes when picking a class's holes
    sister_probability: float = 0.6  # chance that a sister hole at the same site joins
    jitter_sigma: float = 1.7  # log-normal spread of per-(hole, class) weights
    affinity_floor: float = 0.02  # relative weight of lithologies outside a hole's settings
    plausible_share: float = 0.05  # candidate holes need this share of the best hole's affinity
    iterations: int = 3000


def _support_size(total: int, cfg: AllocationConfig, n_candidates: int) -> int:
    size = round(cfg.support_scale * total**cfg.support_exponent)
    return int(np.clip(size, 1, n_candidates))


def _pick_support(
    candidates: np.ndarray,
    weights: np.ndarray,
    sites: np.ndarray,
    k: int,
    cfg: AllocationConfig,
    rng: np.random.Generator,
) -> np.ndarray:
    """k holes out of `candidates`: weighted sampling of sites, then of holes at those sites."""
    keys = rng.random(len(candidates)) ** (1.0 / np.maximum(weights, 1e-300))
    order = np.argsort(-keys, kind="stable")
    by_site: dict[str, list[int]] = {}
    for pos in order:
        by_site.setdefault(str(sites[candidates[pos]]), []).append(int(candidates[pos]))
    chosen: list[int] = []
    seen_sites: set[str] = set()
    for pos in order:
        if len(chosen) >= k:
            break
        site = str(sites[candidates[pos]])
        if site in seen_sites:
            continue
        seen_sites.add(site)
        first, *sisters = by_site[site]
        chosen.append(first)
        for sister in sisters:
            if len(chosen) < k and rng.random() < cfg.sister_probability:
                chosen.append(sister)
    return np.array(sorted(chosen), dtype=np.int64)


def _sinkhorn(
    weights: np.ndarray, rows: np.ndarray, cols: np.ndarray, iterations: int
) -> np.ndarray:
    """Scale a non-negative matrix so its row sums match `rows` and column sums `cols`."""
    m = weights.copy()
    for _ in range(iterations):
        row_sum = m.sum(axis=1)
        m *= np.divide(rows, row_sum, out=np.zeros_like(rows, dtype=float), where=row_sum > 0)[
            :, None
        ]
        col_sum = m.sum(axis=0)
        m *= np.divide(cols, col_sum, out=np.zeros_like(cols, dtype=float), where=col_sum > 0)[
            None, :
        ]
        row_err = np.abs(m.sum(axis=1) - rows).max()
        if row_err < 1e-3:
            break
    return m


def _round_columns(m: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Integer matrix with exact column sums `cols` (largest remainders), close to `m`."""
    out = np.floor(m).astype(np.int64)
    for j in range(m.shape[1]):
        short = int(cols[j] - out[:, j].sum())
        if short > 0:
            frac = m[:, j] - out[:, j]
            top = np.argsort(-frac, kind="stable")[:short]
            out[top, j] += 1
    return out


def allocate_six_feature_bins(
    capacities: np.ndarray,
    hole_affinity: np.ndarray,
    sites: np.ndarray,
    class_totals: np.ndarray,
    test_mask: np.ndarray,
    test_totals: dict[int, int],
    cfg: AllocationConfig,
    rng: np.random.Generator,
) -> np.ndarray:
    """Integer (holes x classes) bin budgets with column sums = the real class totals.

    `hole_affinity` (holes x classes) says how well each lithology fits each hole's settings.
    Each class is confined to a few holes (more for frequent classes), picked by affinity and hole
    size with sister holes at the same site joining; weights get a log-normal jitter so that holes
    differ; an iterative proportional fit then matches hole capacities and class totals.
    `test_totals` pins, for some classes, how many of their bins sit in the holes of `test_mask`
    (the investigation's random test split, [LOG]).
    """
    n_holes, n_classes = hole_affinity.shape
    affinity = hole_affinity + cfg.affinity_floor * hole_affinity.mean(axis=1, keepdims=True)
    size_pref = capacities.astype(float) ** cfg.size_exponent
    # Split classes with a pinned test share into a test part and a rest part.
    parts: list[tuple[int, int, np.ndarray]] = []  # (class, total, candidate holes)
    all_holes = np.arange(n_holes)
    for j in range(n_classes):
        total = int(class_totals[j])
        if total <= 0:
            continue
        if j in test_totals:
            in_test = min(int(test_totals[j]), total)
            parts.append((j, in_test, all_holes[test_mask]))
            if total - in_test > 0:
                parts.append((j, total - in_test, all_holes[~test_mask]))
        else:
            parts.append((j, total, all_holes))
    weights = np.zeros((n_holes, len(parts)))
    part_totals = np.zeros(len(parts))
    for p, (j, total, candidates) in enumerate(parts):
        # A lithology only goes where its settings make it plausible (the floor keeps a class
        # placeable when no hole's settings name it).
        fit = affinity[candidates, j]
        plausible = fit >= cfg.plausible_share * fit.max()
        candidates = candidates[plausible]
        k = _support_size(total, cfg, len(candidates))
        pick_weight = affinity[candidates, j] * size_pref[candidates]
        support = _pick_support(candidates, pick_weight, sites, k, cfg, rng)
        jitter = rng.lognormal(0.0, cfg.jitter_sigma, len(support))
        weights[support, p] = affinity[support, j] * jitter
        part_totals[p] = total
    # Every hole needs enough support to be filled: give starved holes their best big classes.
    big = [p for p, (j, total, c) in enumerate(parts) if total >= 2000 and len(c) == n_holes]
    for h in range(n_holes):
        if weights[h].sum() == 0 or (weights[h] > 0).sum() < 2:
            best = sorted(big, key=lambda p: -affinity[h, parts[p][0]])[:2]
            for p in best:
                weights[h, p] = max(weights[h, p], affinity[h, parts[p][0]] * 0.05)
    fitted = _sinkhorn(weights, capacities.astype(float), part_totals, cfg.iterations)
    rounded = _round_columns(fitted, part_totals.astype(np.int64))
    budgets = np.zeros((n_holes, n_classes), dtype=np.int64)
    for p, (j, _, _) in enumerate(parts):
        budgets[:, j] += rounded[:, p]
    err = np.abs(budgets.sum(axis=1) - capacities)
    logger.info(
        "allocated %d six-feature bins to %d holes (largest hole deviation %d bins)",
        int(budgets.sum()),
        n_holes,
        int(err.max()) if n_holes else 0,
    )
    return budgets


def compose_other_hole(
    capacity: int, affinity: np.ndarray, rng: np.random.Generator, max_classes: int = 8
) -> np.ndarray:
    """Bin budgets per class for a hole outside the six-feature set (a few lithologies)."""
    budgets = np.zeros(len(affinity), dtype=np.int64)
    if capacity <= 0:
        return budgets
    n = int(min(max_classes, 1 + rng.poisson(2.5), capacity))
    keys = rng.random(len(affinity)) ** (1.0 / np.maximum(affinity, 1e-300))
    chosen = np.argsort(-keys, kind="stable")[:n]
    shares = rng.dirichlet(np.full(n, 0.8))
    counts = rng.multinomial(capacity, shares)
    budgets[chosen] = counts
    return budgets


# --------------------------------------------------------------------------------------------
# Runs: the described intervals of one hole, in planning bins


@dataclass(frozen=True)
class RunPlan:
    """The ordered lithology intervals of a hole, each with its length in planning bins."""

    class_id: np.ndarray  # int64
    planned_bins: np.ndarray  # int64 (>= 1)


def plan_runs(
    budgets: np.ndarray,
    run_bins: np.ndarray,
    rank: np.ndarray,
    rng: np.random.Generator,
    rank_jitter: float = 0.12,
    mixing: float = 0.35,
) -> RunPlan:
    """Split each class budget into runs and order them along the hole.

    Classes are stacked by their stratigraphic rank (soft sediments above lithified ones above
    basement), each occupying a share of the hole equal to its budget; runs are placed uniformly in
    their class's window widened by `mixing` x share, so neighbours interbed at transitions.
    Dominant classes get longer runs.
    """
    present = np.flatnonzero(budgets > 0)
    if len(present) == 0:
        return RunPlan(np.zeros(0, np.int64), np.zeros(0, np.int64))
    total = budgets[present].sum()
    share = budgets[present] / total
    order = np.argsort(rank[present] + rng.normal(0.0, rank_jitter, len(present)), kind="stable")
    start = np.zeros(len(present))
    start[order] = np.concatenate([[0.0], np.cumsum(share[order])[:-1]])
    class_ids: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    for i, j in enumerate(present):
        budget = int(budgets[j])
        mean_len = run_bins[j] * (1.0 + 2.0 * share[i])
        n_runs = int(np.clip(round(budget / mean_len), 1, budget))
        extra = budget - n_runs
        parts = 1 + (rng.multinomial(extra, rng.dirichlet(np.full(n_runs, 2.0))) if extra else 0)
        parts = np.broadcast_to(parts, (n_runs,)).astype(np.int64)
        margin = mixing * share[i] + 0.02
        lo, hi = start[i] - margin, start[i] + share[i] + margin
        class_ids.append(np.full(n_runs, j, dtype=np.int64))
        lengths.append(parts)
        keys.append(rng.uniform(lo, hi, n_runs))
    key = np.concatenate(keys)
    sort = np.argsort(key, kind="stable")
    # Adjacent runs of one class stay separate intervals (units described one by one, each with
    # its own offsets), so a thick basement or a dominant ooze is not one giant interval.
    return RunPlan(np.concatenate(class_ids)[sort], np.concatenate(lengths)[sort])


# --------------------------------------------------------------------------------------------
# Modifiers and co-described intervals


@dataclass(frozen=True)
class ModifierTable:
    """Per class: candidate prefixes and suffixes (with weights) for the LILY text columns."""

    prefixes: tuple[tuple[str, ...], ...]
    prefix_weights: tuple[np.ndarray, ...]
    suffixes: tuple[tuple[str, ...], ...]
    suffix_weights: tuple[np.ndarray, ...]


def _weighted(values: pd.Series) -> tuple[tuple[str, ...], np.ndarray]:
    counts = values.value_counts()
    return tuple(counts.index.astype(str)), counts.to_numpy(dtype=float)


def build_modifiers(facts: CalibrationFacts, vocab: Vocabulary) -> ModifierTable:
    """Principal-specific modifiers where LILY has them, generic ones by rock type otherwise."""
    combos = facts.modifiers
    prefixes, prefix_w, suffixes, suffix_w = [], [], [], []
    for name, ltype in zip(vocab.names, vocab.lithology_type, strict=True):
        own = combos[combos["Principal"] == name]
        kind = ltype if ltype in GENERIC_PREFIXES else "sedimentary"
        if len(own) >= 3:
            p, pw = _weighted(own["Prefix"])
            s, sw = _weighted(own["Suffix"])
        else:
            p = GENERIC_PREFIXES[kind]
            pw = np.array(GENERIC_PREFIX_WEIGHTS.get(kind, [1] * len(p)), dtype=float)
            s = GENERIC_SUFFIXES[kind]
            sw = np.array(GENERIC_SUFFIX_WEIGHTS.get(kind, [1] * len(s)), dtype=float)
        prefixes.append(p)
        prefix_w.append(pw / pw.sum())
        suffixes.append(s)
        suffix_w.append(sw / sw.sum())
    return ModifierTable(tuple(prefixes), tuple(prefix_w), tuple(suffixes), tuple(suffix_w))


def draw_modifiers(
    class_id: np.ndarray, table: ModifierTable, rng: np.random.Generator
) -> tuple[list[str], list[str]]:
    """Prefix and suffix ("" = none) of each run, with LILY's modifier usage rates."""
    usage = rng.choice(4, size=len(class_id), p=np.array(MODIFIER_USAGE) / sum(MODIFIER_USAGE))
    prefixes, suffixes = [], []
    for j, use in zip(class_id, usage, strict=True):
        prefix = suffix = ""
        if use in (1, 3):
            prefix = table.prefixes[j][
                rng.choice(len(table.prefixes[j]), p=table.prefix_weights[j])
            ]
        if use in (2, 3):
            suffix = table.suffixes[j][
                rng.choice(len(table.suffixes[j]), p=table.suffix_weights[j])
            ]
        prefixes.append(prefix)
        suffixes.append(suffix)
    return prefixes, suffixes


def co_description_partners(vocab: Vocabulary) -> np.ndarray:
    """For each class, a same-group class that sorts after it (or -1).

    An interval described as two lithologies with equal percentages duplicates every row
    [PAPER]; the partner sorts after the principal so that a tied 20-cm bin keeps the principal
    (ties go to the alphabetically first label, docs/investigation.md §1).
    """
    partners = np.full(vocab.n_classes, -1, dtype=np.int64)
    for j, name in enumerate(vocab.names):
        if vocab.lithology_type[j] != "sedimentary":
            continue
        same = [
            k
            for k in range(vocab.n_classes)
            if vocab.group[k] == vocab.group[j] and vocab.names[k] > name and k != j
        ]
        if same:
            partners[j] = min(same, key=lambda k: (-vocab.real_bins[k], vocab.names[k]))
    return partners
