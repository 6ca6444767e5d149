"""Known anomalous intervals injected into the simulated tables, and their truth table.

A check of the anomaly detection (``lithoflow.validation.anomalies``) needs anomalies whose place is
known. The simulator can lay a configured number of intervals into the six-feature holes it writes
(only there do rows survive the inner join of the six features), each of one kind:

- ``foreign_lithology``: over the interval every table measures the physical properties of a
  lithology foreign to the hole's setting (zero affinity for the expedition's settings and of a
  signature group absent from the hole), while the described label stays the local one: a
  mis-described or exotic bed. The foreign properties come from their own latent profile, then
  pass through the ordinary sensor models.
- ``instrument_fault``: one table's measurement is corrupted over the interval, inside the valid
  ranges: GRA reads as a drained liner (≈ water, 1.05 g/cm3), MS gains a constant offset, NGR drops
  out to near zero counts, RGB saturates near white.

Injection draws only from its own random streams and changes values only at rows inside the
intervals: every other row is byte-identical to an uninjected run with the same seed. Intervals lie
inside one core, in sections that carry all four tables, at least ``SEPARATION_M`` apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from lithoflow.core.errors import ConfigError
from lithoflow.core.typed import build
from lithoflow.simulate.calibration import CalibrationFacts
from lithoflow.simulate.lithology import parse_settings, setting_matrix
from lithoflow.simulate.plan import HolePlan, World
from lithoflow.simulate.properties import CELL_MM, LatentProfile, PropertyNoise, latent_profile

if TYPE_CHECKING:
    from lithoflow.simulate.tables import HoleWindow

KINDS = ("foreign_lithology", "instrument_fault")
FAULT_TABLES = ("GRA", "MS", "NGR", "RGB")
ALL_TABLES = ("GRA", "MS", "NGR", "RGB")
FAULTS = {
    "GRA": "drained liner: density reads as water (~1.05 g/cm3)",
    "MS": "offset: a constant 150-400 instrument units added",
    "NGR": "dropout: total counts near zero",
    "RGB": "saturation: R, G and B near 255",
}
STREAM_ANOMALY = 8  # np.random.default_rng([seed, STREAM_ANOMALY, ...]); 0-7 are the simulator's
SEPARATION_M = 1.0  # smallest depth gap between two injected intervals of one hole
PLACEMENT_TRIES = 200  # draws per interval before the holes count as full
TRUTH_COLUMNS = (
    "interval",
    "borehole_id",
    "top_m",
    "bottom_m",
    "length_m",
    "kind",
    "tables",
    "detail",
    "described_label",
)


@dataclass(frozen=True, kw_only=True)
class InjectionConfig:
    """The config section ``simulate.anomalies`` (see the schema for each key)."""

    count: int
    min_length_m: float
    max_length_m: float
    kinds: tuple[str, ...]
    seed: int | None = None  # None: the simulation's seed

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in KINDS]
        if self.count < 0 or unknown or not self.kinds:
            raise ConfigError(
                f"config key simulate.anomalies: count must be >= 0 and kinds a non-empty list "
                f"of {', '.join(KINDS)} (got count {self.count}, kinds {list(self.kinds)})"
            )
        if not 0 < self.min_length_m <= self.max_length_m:
            raise ConfigError(
                "config key simulate.anomalies: need 0 < min_length_m <= max_length_m "
                f"(got {self.min_length_m}, {self.max_length_m})"
            )

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> InjectionConfig:
        """Build from the validated ``simulate.anomalies`` section (schema defaults filled in)."""
        return build(cls, section, "simulate.anomalies")

    @classmethod
    def none(cls) -> InjectionConfig:
        """No injected intervals."""
        return cls(count=0, min_length_m=1.0, max_length_m=1.0, kinds=KINDS)


@dataclass(frozen=True)
class InjectedInterval:
    """One injected interval of one hole, on the curated coordinate [c_lo_mm, c_hi_mm)."""

    number: int  # 1..count, the truth file's interval column
    hole: int  # catalogue index
    c_lo_mm: int
    c_hi_mm: int
    top_m: float  # CSF-A depth of the rows' top and bottom
    bottom_m: float
    kind: str
    table: str | None  # the faulty table (instrument_fault)
    foreign_class: int | None  # the foreign lithology's class id (foreign_lithology)
    described_label: str


@dataclass(frozen=True)
class HoleInjection:
    """What one hole's row generator changes: foreign latent profiles and faulty tables."""

    seed: int
    foreign: list[tuple[InjectedInterval, LatentProfile]] = field(default_factory=list)
    faults: list[InjectedInterval] = field(default_factory=list)

    def latent(self, name: str, c_mm: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Latent values `name` at rows `c_mm`, those inside a foreign interval replaced."""
        out = values
        for interval, profile in self.foreign:
            inside = (c_mm >= interval.c_lo_mm) & (c_mm < interval.c_hi_mm)
            if inside.any():
                out = out.copy() if out is values else out
                out[inside] = np.interp(
                    c_mm[inside].astype(float),
                    profile.c_mm.astype(float),
                    getattr(profile, name),
                )
        return out

    def corrupt(self, table: str, c_mm: np.ndarray, values: list[np.ndarray]) -> list[np.ndarray]:
        """The table's measured columns with the faults of this table applied inside them."""
        values = [v.copy() for v in values]
        for interval in self.faults:
            if interval.table != table:
                continue
            inside = (c_mm >= interval.c_lo_mm) & (c_mm < interval.c_hi_mm)
            n = int(inside.sum())
            rng = np.random.default_rng([self.seed, STREAM_ANOMALY, interval.number, 1])
            if table == "GRA":
                values[0][inside] = rng.normal(1.05, 0.03, n)
            elif table == "MS":
                values[0][inside] += rng.uniform(150.0, 400.0)
            elif table == "NGR":
                values[0][inside] = rng.normal(0.2, 0.3, n)
                values[1][inside] = np.sqrt(3.0 / 9.0)
            else:
                for channel in values:
                    channel[inside] = np.clip(rng.normal(252.0, 2.0, n), 0.0, 255.0)
        return values


def _eligible_blocks(window: HoleWindow) -> list[tuple[int, int, int]]:
    """(core index, c_lo, c_hi) of runs of consecutive sections of one core with all tables."""
    sections = window.plan.sections
    ok = (
        window.section_mask
        & sections["described"].to_numpy()
        & sections["has_ms"].to_numpy()
        & sections["has_ngr"].to_numpy()
        & sections["imaged"].to_numpy()
    )
    core = sections["core_idx"].to_numpy()
    top = sections["c_top_mm"].to_numpy()
    end = top + sections["length_mm"].to_numpy()
    blocks: list[tuple[int, int, int]] = []
    for k in np.flatnonzero(ok):
        if blocks and blocks[-1][0] == core[k] and blocks[-1][2] == top[k]:
            blocks[-1] = (blocks[-1][0], blocks[-1][1], int(end[k]))
        else:
            blocks.append((int(core[k]), int(top[k]), int(end[k])))
    return blocks


def _other_core_overlaps(plan: HolePlan, core: int, top_m: float, bottom_m: float) -> bool:
    """Whether a section of another core shares depths with [top_m, bottom_m] (CSF-A overlaps
    where a core recovered more than it advanced): its rows would fall inside the interval."""
    sections = plan.sections
    other = sections["core_idx"].to_numpy() != core
    sec_top = sections["top_m"].to_numpy()
    sec_bottom = sec_top + sections["length_mm"].to_numpy() / 1000.0
    return bool((other & (sec_top <= bottom_m) & (sec_bottom >= top_m)).any())


def _foreign_candidates(
    world: World, facts: CalibrationFacts, hole: int, window: HoleWindow
) -> np.ndarray:
    """Six-feature classes foreign to the hole: no affinity to its settings, group not present."""
    vocab = world.vocab
    settings, matrix = setting_matrix(facts, vocab)
    weights = parse_settings(str(world.catalogue.loc[hole, "settings"]))
    affinity = sum(matrix[settings.index(name)] for name in weights if name in settings)
    local_groups = set(vocab.group[np.unique(window.plan.run_class)])
    six = np.arange(vocab.n_classes) < vocab.n_six
    absent = np.asarray(affinity) <= 0
    foreign = six & absent & (vocab.real_bins > 0)
    strict = foreign & ~np.isin(vocab.group, sorted(local_groups))
    return np.flatnonzero(strict if strict.any() else foreign)


def plan_injection(
    world: World,
    facts: CalibrationFacts,
    windows: Sequence[HoleWindow],
    config: InjectionConfig,
    seed: int,
) -> list[InjectedInterval]:
    """Place `config.count` intervals in the six-feature hole windows (deterministic for the seed).

    Kinds go round the configured list, so each kind gets its share. Raises ConfigError when the
    windows cannot hold that many intervals at the configured lengths.
    """
    if config.count == 0:
        return []
    seed = seed if config.seed is None else config.seed
    rng = np.random.default_rng([seed, STREAM_ANOMALY])
    candidates: list[tuple[HoleWindow, int, int, int]] = []
    for window in windows:
        if bool(world.catalogue.loc[window.plan.index, "is_six"]):
            candidates += [(window, *block) for block in _eligible_blocks(window)]
    taken: dict[int, list[tuple[float, float]]] = {}
    fault_start, n_faults = int(rng.integers(len(FAULT_TABLES))), 0
    intervals: list[InjectedInterval] = []
    for number in range(1, config.count + 1):
        kind = config.kinds[(number - 1) % len(config.kinds)]
        placed = None
        for _ in range(PLACEMENT_TRIES):
            length_mm = round(rng.uniform(config.min_length_m, config.max_length_m) * 1000)
            room = np.array([max(hi - lo - length_mm, 0) for _w, _c, lo, hi in candidates])
            if room.sum() == 0:
                break
            pick = int(rng.choice(len(candidates), p=room / room.sum()))
            window, core, lo, _hi = candidates[pick]
            c_lo = lo + int(rng.integers(0, room[pick]))
            plan = window.plan
            top = round(float(plan.depth_of_c(np.array([c_lo]))[0]), 3)
            bottom = round(top + length_mm / 1000.0, 3)
            near = taken.get(plan.index, [])
            if any(top < b + SEPARATION_M and t < bottom + SEPARATION_M for t, b in near):
                continue
            if _other_core_overlaps(plan, core, top, bottom):
                continue
            placed = (window, c_lo, c_lo + length_mm, top, bottom)
            break
        if placed is None:
            raise ConfigError(
                f"config key simulate.anomalies.count: only {len(intervals)} of {config.count} "
                f"intervals of {config.min_length_m}-{config.max_length_m} m fit into the "
                "six-feature holes of this scale; lower count or the lengths"
            )
        window, c_lo, c_hi, top, bottom = placed
        plan = window.plan
        taken.setdefault(plan.index, []).append((top, bottom))
        run = int(np.searchsorted(plan.run_bounds_mm, (c_lo + c_hi) // 2, side="right"))
        described = world.vocab.names[int(plan.run_class[run])]
        table = foreign = None
        if kind == "instrument_fault":
            # The faulty tables go round FAULT_TABLES from a random start, so each gets its share.
            table = FAULT_TABLES[(fault_start + n_faults) % len(FAULT_TABLES)]
            n_faults += 1
        else:
            pool = _foreign_candidates(world, facts, plan.index, window)
            foreign = int(rng.choice(pool))
        intervals.append(
            InjectedInterval(
                number, plan.index, c_lo, c_hi, top, bottom, kind, table, foreign, described
            )
        )
    return intervals


def hole_injection(
    world: World,
    plan: HolePlan,
    intervals: Sequence[InjectedInterval],
    noise: PropertyNoise,
    seed: int,
) -> HoleInjection | None:
    """The changes to one hole's rows (None when no interval lies in it)."""
    mine = [i for i in intervals if i.hole == plan.index]
    if not mine:
        return None
    injection = HoleInjection(seed)
    for interval in mine:
        if interval.kind == "instrument_fault":
            injection.faults.append(interval)
            continue
        rng = np.random.default_rng([seed, STREAM_ANOMALY, interval.number, 0])
        profile = latent_profile(
            interval.c_lo_mm - CELL_MM,
            interval.c_hi_mm + CELL_MM,
            np.zeros(0, dtype=np.int64),
            np.array([interval.foreign_class]),
            plan.depth_of_c,
            world.class_depth_m,
            world.signatures,
            noise,
            rng,
        )
        injection.foreign.append((interval, profile))
    return injection


def truth_table(world: World, intervals: Sequence[InjectedInterval]) -> pd.DataFrame:
    """The truth file: one row per injected interval (TRUTH_COLUMNS)."""
    rows = []
    for i in intervals:
        foreign = i.kind == "foreign_lithology"
        rows.append(
            {
                "interval": i.number,
                "borehole_id": str(world.catalogue.loc[i.hole, "borehole_id"]),
                "top_m": i.top_m,
                "bottom_m": i.bottom_m,
                "length_m": round(i.bottom_m - i.top_m, 3),
                "kind": i.kind,
                "tables": ";".join(ALL_TABLES) if foreign else i.table,
                "detail": (
                    f"properties of {world.vocab.names[i.foreign_class]}"
                    if foreign
                    else f"{i.table} {FAULTS[str(i.table)]}"
                ),
                "described_label": i.described_label,
            }
        )
    return pd.DataFrame(rows, columns=list(TRUTH_COLUMNS))
