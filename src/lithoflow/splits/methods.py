"""Borehole splits into train / val / test: whole boreholes, never rows.

Methods (config `splits.methods`):

- ``random``: the investigation's random borehole split (docs/investigation.md §4a). Boreholes in
sorted
  order; scikit-learn `train_test_split` separates test first, then val from the rest.
- ``size_balanced``: the investigation's greedy "entropy_based_split" exactly as its code does it
  (§4b): it balances row counts only and never looks at lithology (§11.A.1).
- ``entropy_balanced``: what the investigation claimed to do. A lithology-aware greedy allocation
  followed by local search (moves and swaps of single boreholes) that minimises, in this order
  (lexicographically):

  1. the row-share excess ``sum_p max(0, |rows_p / rows - target_p| - fraction_tolerance)``, so
     every part's row share ends within `fraction_tolerance` of its target where that is possible;
  2. the number of classes with no train rows (each such class is in val or test but not train):
     boreholes holding rare lithologies are anchored in train first, rarest class first;
  3. the sum over the three parts of the Jensen-Shannon divergence (bits) between the part's class
     distribution and the whole data's.

  Criterion 3 is a plain sum, so the small parts weigh as much as train; within the tolerance band
  the row shares are free, so they need not sit on the targets exactly.
  It reads only the labels (of features.parquet), never the hierarchy. Group balance follows: a
  group distribution is a coarsening of the class distribution, so by the data-processing inequality
  the JSD over groups is at most the JSD over classes, for any hierarchy (a bound, not a promise
  that the group JSD is the lowest of all methods). The seed breaks ties among anchors, jitters the
  greedy order and orders the local search, so seeds give different, equally constrained splits;
  the same seed gives the same split. About 2-5 s for 300 boreholes and 139 classes.
- ``explicit``: the user lists the test (and optionally val) boreholes; the rest is train.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.core.config import fractions_problem, raise_if
from lithoflow.core.errors import ConfigError, InputDataError, format_list
from lithoflow.splits.information import jsd_bits_rows, normalise_rows

logger = logging.getLogger(__name__)

PARTS: tuple[str, str, str] = ("train", "val", "test")
METHODS: tuple[str, ...] = ("random", "size_balanced", "entropy_balanced", "explicit")
BOREHOLE_COLUMN = "borehole_id"
LABEL_COLUMN = "label"
MAX_LOCAL_SEARCH_PASSES = 100


@dataclass(frozen=True)
class SplitConfig:
    """How to split: method, target row fractions (train, val, test), seed and method options.

    Settings a method does not use may be left as None (fractions and seed of ``explicit``,
    fraction_tolerance of every method but ``entropy_balanced``); their values come from the
    validated config (`from_config`), which holds the schema's defaults: none is repeated here.
    """

    method: str
    fractions: tuple[float, float, float] | None = None
    seed: int | None = None
    explicit_test: tuple[str, ...] = ()
    explicit_val: tuple[str, ...] = ()
    fraction_tolerance: float | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ConfigError(f"config key splits.methods: unknown method {self.method!r}")
        if self.method == "explicit":
            return
        if self.fractions is None or self.seed is None:
            raise ConfigError(
                f"config keys splits.fractions and splits.seed: the {self.method} split needs both"
            )
        raise_if(fractions_problem(self.fractions), "splits.fractions")
        if self.method == "entropy_balanced" and self.fraction_tolerance is None:
            raise ConfigError(
                "config key splits.entropy_balanced.fraction_tolerance: entropy_balanced needs it"
            )

    @classmethod
    def from_config(cls, splits: Mapping[str, Any], method: str) -> SplitConfig:
        """Build from the validated config section `splits` (schema defaults filled in)."""
        fractions = splits["fractions"]
        explicit = splits["explicit"]
        options = splits["entropy_balanced"]
        return cls(
            method=method,
            fractions=(
                float(fractions["train"]),
                float(fractions["val"]),
                float(fractions["test"]),
            ),
            seed=int(splits["seed"]),
            explicit_test=tuple(str(b) for b in explicit["test"]),
            explicit_val=tuple(str(b) for b in explicit["val"]),
            fraction_tolerance=float(options["fraction_tolerance"]),
        )

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any]) -> SplitConfig:
        """Rebuild from `parameters()` (what a rule passes to its script)."""
        fractions = parameters.get("fractions")
        tolerance = parameters.get("fraction_tolerance")
        return cls(
            method=str(parameters["method"]),
            fractions=None
            if fractions is None
            else (float(fractions["train"]), float(fractions["val"]), float(fractions["test"])),
            seed=None if parameters.get("seed") is None else int(parameters["seed"]),
            explicit_test=tuple(parameters.get("test_boreholes", ())),
            explicit_val=tuple(parameters.get("val_boreholes", ())),
            fraction_tolerance=None if tolerance is None else float(tolerance),
        )

    def parameters(self) -> dict[str, Any]:
        """The settings this method uses (and only those), as plain JSON-able values."""
        params: dict[str, Any] = {"method": self.method}
        if self.method == "explicit":
            params["test_boreholes"] = list(self.explicit_test)
            params["val_boreholes"] = list(self.explicit_val)
            return params
        params["fractions"] = dict(zip(PARTS, self.fractions, strict=True))
        params["seed"] = self.seed
        if self.method == "entropy_balanced":
            params["fraction_tolerance"] = self.fraction_tolerance
        return params


# --- the investigation's methods -----------------------------------------------------------------


def random_split(
    boreholes: Sequence[str], fractions: Sequence[float], seed: int
) -> dict[str, list[str]]:
    """The investigation's random split (docs/investigation.md §4a): test first, then val from the
    rest.

    The investigation passed the literals 0.85 and 0.8235; we compute 1 - test and
    train / (train + val) = 0.8235294... For 296 boreholes both give floor(0.85 * 296) = 251 and
    floor(0.8235 * 251) = floor(0.8235294 * 251) = 206, so 206 / 45 / 45 boreholes.
    """
    from sklearn.model_selection import train_test_split

    train_fraction, val_fraction, test_fraction = fractions
    ordered = sorted(boreholes)
    try:
        rest, test = train_test_split(ordered, train_size=1 - test_fraction, random_state=seed)
        train, val = train_test_split(
            rest, train_size=train_fraction / (train_fraction + val_fraction), random_state=seed
        )
    except ValueError as error:
        raise InputDataError(
            f"cannot split {len(ordered)} boreholes randomly into train/val/test: {error}"
        ) from error
    return {"train": list(train), "val": list(val), "test": list(test)}


def size_balanced_order(
    boreholes: Sequence[str], row_counts: Sequence[int], seed: int
) -> list[str]:
    """The order in which the investigation's greedy split visits boreholes (§4b steps 1-4).

    Stable sort by row count (descending), then a shuffle of the whole list with the legacy
    RandomState(seed) stream (the same stream as np.random.seed + np.random.shuffle). The shuffle
    undoes the size order; kept on purpose to reproduce the investigation's split.
    """
    order = sorted(range(len(boreholes)), key=lambda i: -int(row_counts[i]))
    visited = [boreholes[i] for i in order]
    np.random.RandomState(seed).shuffle(visited)
    return visited


def allocate_by_deficit(
    ordered_boreholes: Sequence[str],
    row_counts: Mapping[str, int],
    fractions: Sequence[float],
) -> dict[str, list[str]]:
    """Greedy allocation of §4b step 5: the first borehole goes to train; each later one to the
    part with the largest deficit (target - share of the rows assigned so far); ties go to train,
    then val."""
    parts: dict[str, list[str]] = {part: [] for part in PARTS}
    rows = dict.fromkeys(PARTS, 0)
    for borehole in ordered_boreholes:
        assigned = sum(rows.values())
        if assigned == 0:
            chosen = "train"
        else:
            deficit = {p: f - rows[p] / assigned for p, f in zip(PARTS, fractions, strict=True)}
            if deficit["train"] >= deficit["val"] and deficit["train"] >= deficit["test"]:
                chosen = "train"
            elif deficit["val"] >= deficit["test"]:
                chosen = "val"
            else:
                chosen = "test"
        parts[chosen].append(borehole)
        rows[chosen] += int(row_counts[borehole])
    return parts


def size_balanced_split(
    boreholes: Sequence[str], row_counts: Sequence[int], fractions: Sequence[float], seed: int
) -> dict[str, list[str]]:
    """The investigation's "entropy-balanced" split, which balances row counts only (§4b)."""
    order = size_balanced_order(boreholes, row_counts, seed)
    sizes = dict(zip(boreholes, (int(n) for n in row_counts), strict=True))
    return allocate_by_deficit(order, sizes, fractions)


# --- the lithology-aware split -------------------------------------------------------------------


@dataclass(frozen=True)
class _Objective:
    """Scores assignments: (row-share excess, classes without train rows, sum of part JSDs)."""

    class_totals: np.ndarray  # (K,)
    targets: np.ndarray  # (3,)
    tolerance: float

    @property
    def whole(self) -> np.ndarray:
        return self.class_totals / self.class_totals.sum()

    def score(self, part_counts: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scores of candidate count arrays of shape (..., 3, K)."""
        rows = part_counts.sum(axis=-1)
        share = rows / self.class_totals.sum()
        excess = np.maximum(0.0, np.abs(share - self.targets) - self.tolerance).sum(axis=-1)
        missing = (part_counts[..., 0, :] == 0).sum(axis=-1)
        jsd = np.nan_to_num(jsd_bits_rows(self.whole, normalise_rows(part_counts)), nan=1.0)
        # Rounding the excess keeps float noise from overriding the later criteria.
        return np.round(excess, 9), missing, jsd.sum(axis=-1)


def _better(candidate: tuple[float, int, float], current: tuple[float, int, float]) -> bool:
    """Strict lexicographic improvement (with a small margin on the JSD)."""
    if candidate[0] != current[0]:
        return candidate[0] < current[0]
    if candidate[1] != current[1]:
        return candidate[1] < current[1]
    return candidate[2] < current[2] - 1e-12


def _anchor_rare_classes(
    counts: np.ndarray, assignment: np.ndarray, rng: np.random.Generator
) -> None:
    """Put into train, rarest class first (fewest boreholes), the borehole holding most rows of
    each class that has no train borehole yet."""
    holders = (counts > 0).sum(axis=0)
    tie_break = rng.permutation(counts.shape[1])
    for cls in np.lexsort((tie_break, holders)):
        in_train = (assignment == 0) & (counts[:, cls] > 0)
        if in_train.any():
            continue
        candidates = np.flatnonzero(counts[:, cls] > 0)
        if len(candidates) == 0:
            continue
        jitter = rng.permutation(len(candidates))
        best = candidates[np.lexsort((jitter, -counts[candidates, cls]))[0]]
        assignment[best] = 0


def _greedy_fill(
    counts: np.ndarray, assignment: np.ndarray, targets: np.ndarray, rng: np.random.Generator
) -> None:
    """Assign the unassigned boreholes, roughly largest first, each to the part where it most
    reduces sum_p sum_c (n_pc - target_p * N_c)^2 / N_c (fills each part's class deficits)."""
    totals = counts.sum(axis=0).astype("float64")
    weights = 1.0 / np.where(totals > 0, totals, 1.0)
    part_counts = np.zeros((3, counts.shape[1]))
    for part in range(3):
        part_counts[part] = counts[assignment == part].sum(axis=0)
    pending = np.flatnonzero(assignment < 0)
    # Largest first (big boreholes placed early, small ones fine-tune the shares), with a seeded
    # jitter of the sizes so that seeds give different splits.
    jittered = counts[pending].sum(axis=1) * rng.uniform(0.67, 1.5, len(pending))
    for borehole in pending[np.argsort(-jittered, kind="stable")]:
        row = counts[borehole]
        gap = part_counts - targets[:, None] * totals[None, :]
        delta = ((2.0 * row[None, :] * gap + row[None, :] ** 2) * weights[None, :]).sum(axis=1)
        part = int(np.argmin(delta))
        assignment[borehole] = part
        part_counts[part] += row


def _local_search(
    counts: np.ndarray,
    assignment: np.ndarray,
    objective: _Objective,
    rng: np.random.Generator,
    max_passes: int,
) -> int:
    """Improve the assignment by moving or swapping single boreholes; returns the passes run."""
    part_counts = np.stack([counts[assignment == p].sum(axis=0) for p in range(3)]).astype(float)
    current = tuple(v.item() for v in objective.score(part_counts))
    n_boreholes = counts.shape[0]
    for pass_index in range(1, max_passes + 1):
        improved = False
        for borehole in rng.permutation(n_boreholes):
            home = int(assignment[borehole])
            row = counts[borehole].astype(float)
            # Candidates: move to each other part, or swap with any borehole of another part.
            partners = np.flatnonzero(assignment != home)
            destinations = np.concatenate(
                [[p for p in range(3) if p != home], assignment[partners]]
            )
            delta = np.vstack([np.tile(row, (2, 1)), row[None, :] - counts[partners]])
            candidates = np.broadcast_to(part_counts, (len(delta), 3, counts.shape[1])).copy()
            candidates[:, home, :] -= delta
            candidates[np.arange(len(delta)), destinations, :] += delta
            excess, missing, jsd = objective.score(candidates)
            best = int(np.lexsort((jsd, missing, excess))[0])
            score = (excess[best].item(), missing[best].item(), jsd[best].item())
            if not _better(score, current):
                continue
            if best < 2:
                assignment[borehole] = destinations[best]
            else:
                partner = partners[best - 2]
                assignment[partner] = home
                assignment[borehole] = destinations[best]
            part_counts = candidates[best]
            current = score
            improved = True
        if not improved:
            return pass_index
    logger.warning("entropy_balanced: local search stopped after %d passes", max_passes)
    return max_passes


def entropy_balanced_assignment(
    counts: np.ndarray,
    fractions: Sequence[float],
    seed: int,
    fraction_tolerance: float,
    max_passes: int = MAX_LOCAL_SEARCH_PASSES,
) -> np.ndarray:
    """Part index (0 train, 1 val, 2 test) of each borehole, from its class counts (boreholes x
    classes). See the module docstring for what it minimises."""
    counts = np.asarray(counts, dtype="int64")
    if counts.ndim != 2 or counts.shape[0] == 0:
        raise InputDataError("entropy_balanced needs a non-empty boreholes x classes count matrix")
    targets = np.asarray(fractions, dtype="float64")
    rng = np.random.default_rng(seed)
    assignment = np.full(counts.shape[0], -1, dtype="int64")
    _anchor_rare_classes(counts, assignment, rng)
    _greedy_fill(counts, assignment, targets, rng)
    objective = _Objective(counts.sum(axis=0).astype("float64"), targets, fraction_tolerance)
    passes = _local_search(counts, assignment, objective, rng, max_passes)
    part_counts = np.stack([counts[assignment == p].sum(axis=0) for p in range(3)])
    excess, missing, jsd = objective.score(part_counts.astype(float))
    logger.info(
        "entropy_balanced: %d local-search passes; row-share excess %.4f, %d classes without "
        "train rows, sum of part JSDs %.5f bits",
        passes,
        excess,
        missing,
        jsd,
    )
    return assignment


def entropy_balanced_split(
    frame: pd.DataFrame, fractions: Sequence[float], seed: int, fraction_tolerance: float
) -> dict[str, list[str]]:
    """The lithology-aware split of the boreholes of `frame` (columns borehole_id, label)."""
    table = borehole_class_counts(frame)
    assignment = entropy_balanced_assignment(table.to_numpy(), fractions, seed, fraction_tolerance)
    boreholes = table.index.to_numpy()
    return {part: sorted(boreholes[assignment == i].tolist()) for i, part in enumerate(PARTS)}


# --- the user's split ----------------------------------------------------------------------------


def explicit_split(
    boreholes: Sequence[str],
    test: Sequence[str],
    val: Sequence[str] = (),
    dropped: Mapping[str, str] | None = None,
) -> dict[str, list[str]]:
    """Test (and val) boreholes as listed; the rest is train.

    Unknown ids are an error naming the key (splits.explicit.test / .val), every unknown id and
    why it is unknown: the ingestion step that dropped it (`dropped`: borehole -> "at step ...:
    reason", from the ingest report), or the dataset's closest ids (difflib) for a typo.
    """
    known = set(boreholes)
    dropped = dict(dropped or {})
    lines = []
    for part, listed in (("test", test), ("val", val)):
        for name in sorted({b for b in listed if b not in known}):
            if name in dropped:
                hint = f": ingestion dropped it {dropped[name]}"
            else:
                close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.6)
                hint = f" (closest: {format_list(close)})" if close else " (no close match)"
            lines.append(f"config key splits.explicit.{part}: {name!r} is not in the dataset{hint}")
    if lines:
        raise ConfigError(
            f"{len(lines)} borehole(s) of the explicit split are not in the dataset "
            f"({len(known)} boreholes there):\n  " + "\n  ".join(lines)
        )
    overlap = sorted(set(test) & set(val))
    if overlap:
        raise ConfigError(
            f"config key splits.explicit: in both test and val: {format_list(overlap)}"
        )
    held_out = set(test) | set(val)
    if not val:
        logger.warning("explicit split: no val boreholes listed, so the val part is empty")
    return {
        "train": sorted(b for b in known if b not in held_out),
        "val": sorted(set(val)),
        "test": sorted(set(test)),
    }


# --- assignment and parts ------------------------------------------------------------------------


def borehole_class_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows per (borehole, class): boreholes (sorted) x classes (sorted), int64."""
    table = pd.crosstab(frame[BOREHOLE_COLUMN].astype(str), frame[LABEL_COLUMN].astype(str))
    return table.sort_index(axis=0).sort_index(axis=1).astype("int64")


def assign_boreholes(
    frame: pd.DataFrame, config: SplitConfig, dropped: Mapping[str, str] | None = None
) -> pd.Series:
    """Part ("train", "val" or "test") of each borehole of `frame`, indexed by sorted borehole id.

    Boreholes are taken in sorted-id order (the investigation's CSV order). `dropped` names the
    boreholes ingestion dropped and why (for the explicit split's messages).
    """
    sizes = frame[BOREHOLE_COLUMN].astype(str).value_counts().sort_index()
    boreholes = sizes.index.tolist()
    if config.method == "random":
        parts = random_split(boreholes, config.fractions, config.seed)
    elif config.method == "size_balanced":
        parts = size_balanced_split(boreholes, sizes.tolist(), config.fractions, config.seed)
    elif config.method == "entropy_balanced":
        parts = entropy_balanced_split(
            frame, config.fractions, config.seed, config.fraction_tolerance
        )
    else:
        parts = explicit_split(boreholes, config.explicit_test, config.explicit_val, dropped)
    assignment = pd.Series("", index=pd.Index(boreholes, name=BOREHOLE_COLUMN), name="part")
    for part, members in parts.items():
        assignment.loc[list(members)] = part
    unassigned = assignment[assignment == ""]
    if len(unassigned):  # a bug, not bad input: every method must cover every borehole
        raise RuntimeError(f"{config.method}: boreholes left unassigned: {list(unassigned.index)}")
    for part in PARTS:
        members = assignment.index[assignment == part]
        rows = int(sizes.loc[members].sum())
        logger.info(
            "%s split: %s %d boreholes, %d rows (%.2f%%)",
            config.method,
            part,
            len(members),
            rows,
            100.0 * rows / max(int(sizes.sum()), 1),
        )
        if len(members) == 0:
            logger.warning("%s split: the %s part is empty", config.method, part)
    return assignment


def split_metadata(config: SplitConfig, part: str) -> dict[str, Any]:
    """What a part's Parquet metadata records about its split (key ``split``)."""
    return {
        "method": config.method,
        "part": part,
        "seed": None if config.method == "explicit" else config.seed,
        "parameters": config.parameters(),
    }


def split_frame(frame: pd.DataFrame, assignment: pd.Series) -> dict[str, pd.DataFrame]:
    """The rows of each part, in their original order (whole boreholes)."""
    part_of_row = frame[BOREHOLE_COLUMN].astype(str).map(assignment)
    if part_of_row.isna().any():
        raise InputDataError(
            "rows of boreholes without a part", examples=frame.loc[part_of_row.isna()]
        )
    return {part: frame.loc[part_of_row == part].reset_index(drop=True) for part in PARTS}


def split_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """The fractions are usable; the explicit split names its test (and val) boreholes."""
    splits = config["splits"]
    fractions = splits["fractions"]
    problem = fractions_problem([fractions[p] for p in ("train", "val", "test")])
    if problem:
        yield f"config key splits.fractions: {problem}"
    explicit = splits.get("explicit") or {}
    if "explicit" in splits["methods"]:
        if not explicit.get("test"):
            yield "config key splits.explicit.test: the explicit split needs a test borehole"
        overlap = sorted(set(explicit.get("test") or []) & set(explicit.get("val") or []))
        if overlap:
            yield (
                "config key splits.explicit: boreholes in both test and val: "
                f"{format_list(overlap)}"
            )


def dropped_boreholes(ingest_report: Mapping[str, Any]) -> dict[str, str]:
    """Borehole -> where and why ingestion dropped it, from the ingest report."""
    return {
        str(entry["borehole_id"]): f"at step {entry['step']!r}: {entry['reason']}"
        for entry in ingest_report.get("boreholes_dropped") or []
    }
