"""Classifier kinds: what differs between an MLP and gradient-boosted trees, behind one interface.

A kind builds, fits (per epoch or in one go), predicts class probabilities and saves its model.
Everything else of a classifier run (data, units, missing values, smoothing, metrics, files) is
shared (`lithoflow.classifiers.run`, `lithoflow.classifiers.evaluation`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np
import torch
from sklearn.ensemble import HistGradientBoostingClassifier

from lithoflow.classifiers.boosting import (
    MODEL_FILE as BOOSTING_MODEL_FILE,
)
from lithoflow.classifiers.boosting import (
    BoostingParams,
    build_boosting,
    fit_boosting,
    predict_proba,
    refit_with_validation,
    save_boosting,
    stratified_subsample,
)
from lithoflow.classifiers.mlp import MLPClassifier, MLPParams, build_mlp, fit_mlp
from lithoflow.training.checkpoints import ResumeStore, save_state_dict
from lithoflow.training.loop import TrainingResult, to_tensor
from lithoflow.training.runs import MODEL_FILE

log = logging.getLogger(__name__)

EpochCallback = Callable[[dict[str, Any]], None]
KINDS = ("mlp", "gradient_boosting")


class ClassifierKind(Protocol):
    """One fitted-or-not model of a classifier run."""

    name: ClassVar[str]
    weights_file: ClassVar[str]
    handles_missing: ClassVar[bool]
    scales_inputs: ClassVar[bool]

    def fit(
        self,
        train: tuple[np.ndarray, np.ndarray],
        val: tuple[np.ndarray, np.ndarray],
        n_classes: int,
        seed: int,
        weights: np.ndarray | None,
        device: torch.device,
        resume: ResumeStore | None,
        on_epoch_end: EpochCallback | None,
    ) -> TrainingResult:
        """Fit on (inputs, class indices); a history with one row per epoch (or one row)."""

    def predict_proba(self, x: np.ndarray, device: torch.device) -> np.ndarray:
        """Class probabilities (rows × n_classes) of model-space inputs."""

    def save(self, path: Path) -> None:
        """Write the fitted model to `path` atomically, without pickle."""

    def architecture(self) -> dict[str, Any]:
        """config.json's "architecture": what rebuilds the model."""


@dataclass
class MLPKind:
    """The investigation's MLP, trained per epoch with early stopping (resumable)."""

    name: ClassVar[str] = "mlp"
    weights_file: ClassVar[str] = MODEL_FILE
    handles_missing: ClassVar[bool] = False
    scales_inputs: ClassVar[bool] = True

    params: MLPParams
    n_inputs: int
    model: MLPClassifier | None = None
    n_classes: int = 0

    def fit(self, train, val, n_classes, seed, weights, device, resume, on_epoch_end):
        self.n_classes = n_classes
        self.model = build_mlp(self.n_inputs, n_classes, self.params, seed)
        return fit_mlp(
            self.model,
            train,
            val,
            n_classes,
            self.params,
            seed,
            device,
            weights=weights,
            resume=resume,
            on_epoch_end=on_epoch_end,
        )

    def predict_proba(self, x: np.ndarray, device: torch.device) -> np.ndarray:
        assert self.model is not None, "fit first"
        return self.model.predict_proba(to_tensor(x, device)).cpu().numpy().astype(np.float64)

    def save(self, path: Path) -> None:
        assert self.model is not None, "fit first"
        self.model.cpu()
        save_state_dict(path, self.model)

    def architecture(self) -> dict[str, Any]:
        assert self.model is not None, "fit first"
        return {
            "kind": self.name,
            "n_inputs": self.n_inputs,
            "hidden": list(self.params.hidden),
            "n_classes": self.n_classes,
            "dropout": self.params.dropout,
            "parameters": sum(p.numel() for p in self.model.parameters()),
        }


@dataclass
class BoostingKind:
    """scikit-learn's HistGradientBoostingClassifier, fitted in one go (missing values native)."""

    name: ClassVar[str] = "gradient_boosting"
    weights_file: ClassVar[str] = BOOSTING_MODEL_FILE
    handles_missing: ClassVar[bool] = True
    scales_inputs: ClassVar[bool] = False

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
        # An input with no value in any training row (a curve none of the training wells has)
        # carries nothing to learn from, and scikit-learn cannot bin it: it is left out.
        self.used = ~np.isnan(train[0]).all(axis=0)
        self.model = build_boosting(self.params, seed, val[1].shape[0] > 0, self.selection_metric)
        # The rows each fit learns from (params.subsample of each class; all by default), and
        # the used columns of them, copied once for the fit and the refit.
        fit_rows = stratified_subsample(train[1], self.params.subsample, seed)
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

    def predict_proba(self, x: np.ndarray, device: torch.device) -> np.ndarray:
        assert self.model is not None and self.used is not None, "fit first"
        return predict_proba(self.model, x[:, self.used], self.n_classes)

    def save(self, path: Path) -> None:
        assert self.model is not None, "fit first"
        save_boosting(path, self.model)

    def architecture(self) -> dict[str, Any]:
        assert self.model is not None, "fit first"
        return {
            "kind": self.name,
            "n_inputs": self.n_inputs,
            "n_classes": self.n_classes,
            "iterations": int(self.model.n_iter_),
            "params": self.params.to_dict(),
            # the model inputs the trees use (by index): the others had no training value
            "used_inputs": [int(i) for i in np.flatnonzero(self.used)],
        }


def weights_file(kind: str) -> str:
    """The model file name of a classifier kind."""
    return {"mlp": MLPKind.weights_file, "gradient_boosting": BoostingKind.weights_file}[kind]
