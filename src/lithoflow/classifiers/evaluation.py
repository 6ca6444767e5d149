"""How a classifier run is evaluated: units (replicates × folds), each fitted and scored alike.

A unit is one fit of the run's model kind with its own seed and its own train / val / test rows:

- ``split`` evaluation: the split's fixed parts; `replicates` units with different seeds
  (replicate 0 uses the run's seed itself, the others seeds derived from it);
- ``group_kfold`` evaluation: K folds of whole boreholes over every borehole, stratified by each
  borehole's dominant class; in the unit of fold k, fold k is the test part, fold k+1 the
  validation part (early stopping) and the rest the training part, so every borehole is predicted
  once out of fold per replicate.

Each unit fits its own missing-value handling and scaler on its training rows only, fits the model,
predicts class probabilities, smooths them along depth if configured, and scores the test rows.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch

from lithoflow.classifiers.data import PARTS, ClassifierData
from lithoflow.classifiers.interface import ClassifierKind
from lithoflow.classifiers.pipeline import InputChain, fit_chain
from lithoflow.core.errors import InputDataError
from lithoflow.features.missing import MedianImputer, complete_rows
from lithoflow.features.scaling import Scaler
from lithoflow.features.smoothing import SmoothingConfig, predicted_classes
from lithoflow.stats import metrics as mt
from lithoflow.stats.intervals import (
    Interval,
    bootstrap_group_totals,
    group_folds,
    summarize,
)
from lithoflow.training.checkpoints import ResumeStore
from lithoflow.training.loop import TrainingResult, derive_seeds

log = logging.getLogger(__name__)

METRICS: tuple[str, ...] = ("accuracy", "balanced_accuracy", "macro_f1")
EpochCallback = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Unit:
    """One fit: its replicate, fold (None for split evaluation), seed and rows' parts."""

    replicate: int
    fold: int | None
    seed: int
    part: np.ndarray  # per pool row: "train" | "val" | "test" | "" (not used)

    @property
    def name(self) -> str:
        return f"r{self.replicate}" + (f"f{self.fold}" if self.fold is not None else "")


def replicate_seeds(seed: int, replicates: int) -> list[int]:
    """Replicate 0 keeps the run's seed; the others get seeds derived from it."""
    return [seed, *derive_seeds(seed, replicates)[1:]] if replicates > 1 else [seed]


def dominant_classes(boreholes: np.ndarray, y: np.ndarray) -> pd.Series:
    """Each borehole's most frequent class index (ties to the lower index), by borehole id."""
    frame = pd.DataFrame({"borehole": boreholes, "y": y})
    counts = frame.groupby(["borehole", "y"]).size().reset_index(name="n")
    counts = counts.sort_values(["borehole", "n", "y"], ascending=[True, False, True])
    return counts.drop_duplicates("borehole").set_index("borehole")["y"]


def split_units(part: np.ndarray, seed: int, replicates: int) -> list[Unit]:
    """`replicates` units over the split's fixed parts."""
    return [
        Unit(replicate=r, fold=None, seed=s, part=part)
        for r, s in enumerate(replicate_seeds(seed, replicates))
    ]


def kfold_units(
    boreholes: np.ndarray, y: np.ndarray, n_folds: int, seed: int, replicates: int
) -> tuple[list[Unit], dict[str, int]]:
    """Units of group K-fold evaluation, and the fold of every borehole."""
    dominant = dominant_classes(boreholes, y)
    folds = group_folds(list(dominant.index), [str(c) for c in dominant], n_folds, seed)
    fold_of_row = pd.Series(boreholes).map(folds).to_numpy()
    units = []
    for r, unit_seed in enumerate(replicate_seeds(seed, replicates)):
        for k in range(n_folds):
            part = np.where(
                fold_of_row == k,
                "test",
                np.where(fold_of_row == (k + 1) % n_folds, "val", "train"),
            )
            units.append(Unit(replicate=r, fold=k, seed=unit_seed, part=part))
    return units, folds


@dataclass
class UnitInputs:
    """A unit's model inputs per part, their rows (pool indices) and the input chain fitted on
    its training rows (missing values, scaler), which turns raw inputs into them."""

    x: dict[str, np.ndarray]
    rows: dict[str, np.ndarray]
    chain: InputChain
    dropped: dict[str, int]
    boreholes_lost: dict[str, list[str]]

    @property
    def scaler(self) -> Scaler:
        return self.chain.scaler

    @property
    def imputer(self) -> MedianImputer | None:
        return self.chain.imputer


def unit_inputs(
    data: ClassifierData,
    unit: Unit,
    *,
    missing: str,
    indicators: bool,
    scale: bool,
    scaler_fit: str,
    smoothing: SmoothingConfig | None,
) -> UnitInputs:
    """The unit's rows (those with a missing input left out under ``missing: drop``, counted),
    the input chain fitted on its training rows, and each part's model inputs through it."""
    x, boreholes = data.x, data.boreholes
    rows = {part: np.flatnonzero(unit.part == part) for part in PARTS}
    if rows["train"].size == 0:
        raise InputDataError(
            f"unit {unit.name} has no training borehole (under group K-fold a unit tests one "
            "fold, stops early on the next and trains on the others: use at least 3 folds)"
        )
    dropped = dict.fromkeys(PARTS, 0)
    lost: dict[str, list[str]] = {part: [] for part in PARTS}
    if missing == "drop":
        for part in PARTS:
            ok = complete_rows(x[rows[part]])
            dropped[part] = int((~ok).sum())
            before = set(boreholes[rows[part]])
            rows[part] = rows[part][ok]
            lost[part] = sorted(before - set(boreholes[rows[part]]))
    if rows["train"].size == 0:
        raise InputDataError(
            f"unit {unit.name}: no training rows left after leaving out the rows with a missing "
            f"input (missing: {missing}); use missing: impute or native, or fewer features"
        )
    raw = {part: x[rows[part]] for part in PARTS}
    keys = {part: data.keys.iloc[rows[part]].reset_index(drop=True) for part in PARTS}
    scaler_rows = raw["train"] if scaler_fit == "train" else np.vstack([raw[p] for p in PARTS])
    scaler_keys = (
        keys["train"]
        if scaler_fit == "train"
        else pd.concat([keys[p] for p in PARTS], ignore_index=True)
    )
    chain = fit_chain(
        source=data.source,
        vae=data.vae,
        features=data.features,
        context=data.context,
        context_columns=data.context_columns,
        transforms=data.transforms,
        missing=missing,
        indicators=indicators,
        scale=scale,
        scaler_rows=scaler_rows,
        train_rows=raw["train"],
        smoothing=smoothing,
        classes=data.classes,
        units=data.units,
        seed=unit.seed,
        train_keys=keys["train"],
        scaler_keys=scaler_keys,
    )
    values = {part: chain.transform(v, keys[part]) for part, v in raw.items()}
    return UnitInputs(values, rows, chain, dropped, lost)


@dataclass
class UnitResult:
    """What one unit gave: scores on its test rows and its predictions."""

    unit: Unit
    training: TrainingResult
    inputs: UnitInputs
    predicted: dict[str, np.ndarray]  # part -> class index per row of inputs.rows[part]
    scores: dict[str, float]
    kind: ClassifierKind | None = None  # kept for unit 0 only (its model is saved)
    extra: dict[str, Any] = field(default_factory=dict)
    probabilities: np.ndarray | None = None  # test rows × classes (smoothed as configured)


def score(
    y_true: np.ndarray,
    y_pred: np.ndarray,
    classes: Sequence[str],
    penalty: pd.DataFrame | None,
    penalty_path: str = "",
) -> dict[str, float]:
    """accuracy, balanced accuracy, macro-F1 (and penalty score) of predictions."""
    n = len(classes)
    scores = {
        "accuracy": mt.accuracy(y_true, y_pred),
        "balanced_accuracy": mt.balanced_accuracy(y_true, y_pred, n),
        "macro_f1": mt.macro_f1(y_true, y_pred, n),
    }
    if penalty is not None:
        scores["penalty_score"] = mt.penalty_score(y_true, y_pred, classes, penalty, penalty_path)
    return scores


def predict_parts(
    kind: ClassifierKind,
    inputs: UnitInputs,
    keys: pd.DataFrame,
    device: torch.device,
    parts: Sequence[str] = PARTS,
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Predicted class index per row of each part, through the unit's input chain (probabilities
    smoothed along depth when configured), and the test rows' class probabilities."""
    predicted = {}
    test_probabilities = np.zeros((0, 0))
    for part in parts:
        part_keys = keys.iloc[inputs.rows[part]]
        proba = inputs.chain.smoothed_probabilities(kind, inputs.x[part], part_keys, device)
        predicted[part] = predicted_classes(proba)
        if part == "test":
            test_probabilities = proba
    return predicted, test_probabilities


def sub_store(resume: ResumeStore | None, unit: Unit, n_units: int) -> ResumeStore | None:
    """The resume store of one unit (the run's own folder when it has a single unit)."""
    if resume is None or n_units == 1:
        return resume
    return ResumeStore(resume.folder / unit.name, resume.key)


# The range each score can take (the penalty score is minus a non-negative cost).
SCORE_BOUNDS = {
    "accuracy": (0.0, 1.0),
    "balanced_accuracy": (0.0, 1.0),
    "macro_f1": (0.0, 1.0),
    "penalty_score": (-math.inf, 0.0),
}


def summarize_units(results: Sequence[UnitResult]) -> dict[str, Interval]:
    """Each score's mean, std and 95 % interval over the units."""
    names = list(results[0].scores)
    return {
        name: summarize([r.scores[name] for r in results], bounds=SCORE_BOUNDS[name])
        for name in names
    }


def bootstrap_scores(
    result: UnitResult,
    y: np.ndarray,
    keys: pd.DataFrame,
    classes: Sequence[str],
    penalty: pd.DataFrame | None,
    penalty_path: str,
    n_resamples: int,
    seed: int,
) -> dict[str, Interval]:
    """Borehole-bootstrap intervals of each score on one unit's test rows.

    Every score is a function of the confusion matrix, so each resample sums the drawn test
    boreholes' matrices (the same resamples and values as concatenating their rows)."""
    rows = result.inputs.rows["test"]
    boreholes = keys["borehole_id"].to_numpy()[rows]
    codes, groups = pd.factorize(boreholes)  # in order of first appearance
    totals = mt.confusion_matrices_by_group(
        codes, y[rows], result.predicted["test"], len(groups), len(classes)
    )
    costs = mt.penalty_costs(classes, penalty, penalty_path) if penalty is not None else None

    def statistics(counts: np.ndarray) -> dict[str, float]:
        values = mt.scores_of_counts(counts, costs)
        return {name: values[name] for name in result.scores}

    return bootstrap_group_totals(totals, statistics, n_resamples=n_resamples, seed=seed)


def per_borehole_scores(
    results: Sequence[UnitResult], y: np.ndarray, keys: pd.DataFrame
) -> pd.DataFrame:
    """Accuracy of every borehole's test rows, per replicate (out of fold in k-fold)."""
    frames = []
    for result in results:
        rows = result.inputs.rows["test"]
        frames.append(
            pd.DataFrame(
                {
                    "replicate": result.unit.replicate,
                    "fold": -1 if result.unit.fold is None else result.unit.fold,
                    "borehole_id": keys["borehole_id"].to_numpy()[rows],
                    "correct": (y[rows] == result.predicted["test"]).astype(np.float64),
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    grouped = table.groupby(["borehole_id", "replicate", "fold"], sort=True)["correct"]
    return grouped.agg(rows="size", accuracy="mean").reset_index()


def intervals_payload(intervals: Mapping[str, Interval]) -> dict[str, dict[str, Any]]:
    return {name: interval.to_dict() for name, interval in intervals.items()}
