"""Gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier) as a classifier kind.

The public lithology competitions on well logs were won by gradient-boosted trees on depth-window
features. The model handles missing values natively, takes class weights as sample weights, and
stops early on the validation boreholes (passed as `X_val`, never a random share of training rows,
which would leak whole-borehole structure).

Saved with skops (`model.skops`), not pickle: loading executes no code and trusts exactly one type
beyond skops' own safe defaults, scikit-learn's tree predictor; a file that needs anything else is
refused. A loaded model gives identical predictions (tests/unit/test_boosting.py).
"""

from __future__ import annotations

import inspect
import logging
import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import torch
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier

from lithoflow.classifiers.boosting_settings import NAME, SETTINGS_KEY, BoostingParams
from lithoflow.core.errors import InputDataError
from lithoflow.core.skops_io import load_skops, save_skops
from lithoflow.training.loop import TrainingResult

if TYPE_CHECKING:
    from lithoflow.classifiers.spec import ClassifierSpec

log = logging.getLogger(__name__)

SCORING = {"loss": "loss", "accuracy": "accuracy", "balanced_accuracy": "balanced_accuracy"}


def stratified_subsample(labels: np.ndarray, share: float, seed: int) -> np.ndarray:
    """Sorted indices of `share` of the rows of each class (at least one row of every class
    present), drawn without replacement; all rows when `share` is 1."""
    if not 0.0 < share <= 1.0:
        raise ValueError(f"subsample share must lie in (0, 1], got {share}")
    if share == 1.0:
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    chosen = []
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        take = max(1, math.ceil(share * len(rows)))
        chosen.append(rng.choice(rows, size=take, replace=False))
    return np.sort(np.concatenate(chosen)) if chosen else np.arange(0)


def build_boosting(
    params: BoostingParams, seed: int, has_validation: bool, selection_metric: str = "loss"
) -> HistGradientBoostingClassifier:
    """An unfitted model; early stopping on `selection_metric` of the validation rows, only when
    there are validation rows to stop on."""
    return HistGradientBoostingClassifier(
        learning_rate=params.learning_rate,
        max_iter=params.max_iter,
        max_leaf_nodes=params.max_leaf_nodes,
        min_samples_leaf=params.min_samples_leaf,
        l2_regularization=params.l2_regularization,
        max_features=params.max_features,
        early_stopping=bool(params.early_stopping and has_validation),
        n_iter_no_change=params.n_iter_no_change,
        scoring=SCORING[selection_metric],
        random_state=seed,
    )


def fit_boosting(
    model: HistGradientBoostingClassifier,
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray | None,
    y_val: np.ndarray | None,
    sample_weight: np.ndarray | None = None,
) -> dict[str, Any]:
    """Fit in place (early stopping on the validation rows if enabled); a training summary."""
    if x_train.shape[0] == 0:
        raise InputDataError("gradient boosting has no training rows")
    validation: dict[str, Any] = {}
    if model.early_stopping and x_val is not None and x_val.shape[0]:
        # Validation rows of classes unseen in training cannot be scored by the loss.
        known = np.isin(y_val, np.unique(y_train))
        if known.any():
            validation = {"X_val": x_val[known], "y_val": y_val[known]}
    if model.early_stopping and not validation:
        # Never let scikit-learn hold out random training rows instead (rows of one borehole
        # are not independent): without validation boreholes, all max_iter iterations run.
        log.warning("no usable validation rows: gradient boosting runs without early stopping")
        model.set_params(early_stopping=False)
    model.fit(x_train, y_train, sample_weight=sample_weight, **validation)
    # Scoring on accuracy while fitting leaves bound methods of the model on the instance (a
    # cache of its own predict); they are not state, and a saved model must not refer to itself.
    # The early-stopping scorer is likewise only used while fitting.
    for name, value in list(vars(model).items()):
        if name == "_scorer" or (inspect.ismethod(value) and value.__self__ is model):
            delattr(model, name)
    summary = {"iterations": int(model.n_iter_), "early_stopping": bool(model.early_stopping)}
    if validation:
        summary["validation_score"] = [float(s) for s in model.validation_score_]
        summary["scoring"] = str(model.scoring)
    log.info("gradient boosting: %d iterations", model.n_iter_)
    return summary


def refit_with_validation(
    model: HistGradientBoostingClassifier,
    summary: dict[str, Any],
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    sample_weight: np.ndarray | None = None,
    val_weight: np.ndarray | None = None,
) -> tuple[HistGradientBoostingClassifier, dict[str, Any]]:
    """A copy of `model`'s settings fitted on train and val rows together, with the number of
    iterations that early stopping chose on the val rows (`summary` of `fit_boosting`); the
    summary gains the refit's row count. Without early stopping there is no chosen number, and the
    model is returned unchanged."""
    if "validation_score" not in summary:
        log.warning("refit_with_val: no early stopping on val rows happened, so no refit")
        return model, summary
    refit = clone(model).set_params(max_iter=summary["iterations"], early_stopping=False)
    weights = None
    if sample_weight is not None or val_weight is not None:
        weights = np.concatenate(
            [
                sample_weight if sample_weight is not None else np.ones(len(y_train)),
                val_weight if val_weight is not None else np.ones(len(y_val)),
            ]
        )
    refit_summary = fit_boosting(
        refit, np.vstack([x_train, x_val]), np.concatenate([y_train, y_val]), None, None, weights
    )
    log.info(
        "gradient boosting refitted on %d train + %d val rows with %d iterations",
        len(y_train),
        len(y_val),
        refit_summary["iterations"],
    )
    return refit, {**summary, "refit_rows": int(len(y_train) + len(y_val))}


def predict_proba(
    model: HistGradientBoostingClassifier, x: np.ndarray, n_classes: int
) -> np.ndarray:
    """Probabilities over all `n_classes` (classes absent from training get 0)."""
    out = np.zeros((x.shape[0], n_classes))
    if x.shape[0]:
        out[:, model.classes_.astype(np.int64)] = model.predict_proba(x)
    return out


def save_boosting(path: str | os.PathLike[str], model: HistGradientBoostingClassifier) -> None:
    """Write the fitted model with skops, atomically, byte-identical for an identical model."""
    save_skops(path, model)


def load_boosting(path: str | os.PathLike[str]) -> HistGradientBoostingClassifier:
    """Load a model saved by `save_boosting`; any type beyond the tree predictor is refused."""
    model = load_skops(path)
    if not isinstance(model, HistGradientBoostingClassifier):
        raise InputDataError("not a gradient boosting model", path=str(path))
    return model


@dataclass
class BoostingKind:
    """scikit-learn's HistGradientBoostingClassifier, fitted in one go (missing values native)."""

    name: ClassVar[str] = NAME

    params: BoostingParams
    n_inputs: int
    selection_metric: str = "loss"
    model: HistGradientBoostingClassifier | None = None
    n_classes: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    used: np.ndarray | None = None  # inputs with at least one training value

    def fit(self, train, val, n_classes, seed, weights, device, resume, on_epoch_end):
        self.n_classes = n_classes
        started = time.perf_counter()
        self.model = build_boosting(self.params, seed, val[1].shape[0] > 0, self.selection_metric)
        # The rows each fit learns from (params.subsample of each class; all by default), and
        # the used columns of them, copied once for the fit and the refit.
        fit_rows = stratified_subsample(train[1], self.params.subsample, seed)
        # An input with no value in the rows the trees learn from (a curve none of the training
        # wells has, or whose few values the subsample left out) carries nothing to learn from,
        # and scikit-learn cannot bin it: it is left out.
        self.used = ~np.isnan(train[0][fit_rows]).all(axis=0)
        x_train, y_train = train[0][np.ix_(fit_rows, self.used)], train[1][fit_rows]
        x_val, y_val = val[0][:, self.used], val[1]
        if self.params.subsample < 1.0:
            log.info(
                "gradient boosting learns from %d of %d training rows (subsample %g)",
                len(fit_rows),
                len(train[1]),
                self.params.subsample,
            )
        sample_weight = weights[y_train] if weights is not None else None
        self.summary = fit_boosting(
            self.model, x_train, y_train, x_val, y_val, sample_weight=sample_weight
        )
        if self.params.subsample < 1.0:
            self.summary["rows_fitted"] = len(fit_rows)
        if self.params.refit_with_val:
            # Early stopping scored every val row; the refit learns from the same share of them.
            refit_rows = stratified_subsample(y_val, self.params.subsample, seed + 1)
            self.model, self.summary = refit_with_validation(
                self.model,
                self.summary,
                x_train,
                y_train,
                x_val[refit_rows],
                y_val[refit_rows],
                sample_weight=sample_weight,
                val_weight=weights[y_val[refit_rows]] if weights is not None else None,
            )
        record: dict[str, Any] = {"epoch": 1, "iterations": self.summary["iterations"]}
        if "refit_rows" in self.summary:
            record["refit_rows"] = self.summary["refit_rows"]
        if "validation_score" in self.summary:
            # scikit-learn's score: higher is better (the loss is negated)
            record[f"val_{self.summary['scoring']}_score"] = self.summary["validation_score"][-1]
        record["seconds"] = time.perf_counter() - started
        if on_epoch_end is not None:
            on_epoch_end(record)
        return TrainingResult(history=[record])

    def fit_final(self, train, val, n_classes, seed, weights, device):
        """The final model: early stopping on `val` chooses the iterations, then the trees are
        fitted again on train and val together with that many (`refit_with_val`); without early
        stopping, all `max_iter` iterations on train and val together."""
        if self.params.early_stopping and val[1].shape[0]:
            self.params = replace(self.params, refit_with_val=True)
            return self.fit(train, val, n_classes, seed, weights, device, None, None)
        both = (np.vstack([train[0], val[0]]), np.concatenate([train[1], val[1]]))
        empty = (both[0][:0], both[1][:0])
        return self.fit(both, empty, n_classes, seed, weights, device, None, None)

    def predict_proba(self, x: np.ndarray, device: torch.device) -> np.ndarray:
        if self.model is None or self.used is None:
            raise RuntimeError("fit first")
        return predict_proba(self.model, x[:, self.used], self.n_classes)

    def save(self, path: Path) -> None:
        if self.model is None:
            raise RuntimeError("fit first")
        save_boosting(path, self.model)

    def architecture(self) -> dict[str, Any]:
        if self.model is None:
            raise RuntimeError("fit first")
        return {
            "kind": self.name,
            "n_inputs": self.n_inputs,
            "n_classes": self.n_classes,
            "iterations": int(self.model.n_iter_),
            "params": self.params.to_dict(),
            # the model inputs the trees use (by index): the others had no training value
            "used_inputs": [int(i) for i in np.flatnonzero(self.used)],
        }


def restore_model(path: Path, architecture: Mapping[str, Any]) -> BoostingKind:
    """The fitted trees of a run folder (`KindInfo.restore`): its model file and config.json's
    architecture."""
    kind = BoostingKind(
        params=BoostingParams.from_config(architecture["params"]),
        n_inputs=int(architecture["n_inputs"]),
        model=load_boosting(path),
    )
    kind.n_classes = int(architecture["n_classes"])
    used = np.zeros(kind.n_inputs, dtype=bool)
    used[list(architecture["used_inputs"])] = True
    kind.used = used
    return kind


def create_model(spec: ClassifierSpec, n_inputs: int) -> BoostingKind:
    """An unfitted model of a gradient-boosting run (`KindInfo.create`)."""
    if spec.gradient_boosting is None:
        raise InputDataError(f"run {spec.name}: {SETTINGS_KEY} settings are missing")
    return BoostingKind(spec.gradient_boosting, n_inputs, spec.selection_metric)
