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
import io
import logging
import math
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import skops.io as sio
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier

from lithoflow.core.errors import InputDataError, format_list
from lithoflow.core.io import atomic_path

log = logging.getLogger(__name__)

MODEL_FILE = "model.skops"
TRUSTED_TYPES = ("sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",)


@dataclass(frozen=True)
class BoostingParams:
    """The hyperparameters a run's `gradient_boosting:` entry sets (scikit-learn's names)."""

    learning_rate: float
    max_iter: int
    max_leaf_nodes: int
    min_samples_leaf: int
    l2_regularization: float
    max_features: float
    early_stopping: bool
    n_iter_no_change: int
    # After early stopping has chosen the number of iterations on the val boreholes, fit again
    # with that many iterations on the train and val boreholes together (more wells to learn from;
    # the test boreholes stay unseen).
    refit_with_val: bool = False
    # Share of the rows each fit learns from, drawn per class without replacement with the
    # replicate's seed (1: all rows). Neighbouring depth bins carry nearly the same values, so half
    # of them teach the trees almost as much in half the time, and replicates then differ by more
    # than the split-feature sampling.
    subsample: float = 1.0

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> BoostingParams:
        return cls(
            learning_rate=float(section["learning_rate"]),
            max_iter=int(section["max_iter"]),
            max_leaf_nodes=int(section["max_leaf_nodes"]),
            min_samples_leaf=int(section["min_samples_leaf"]),
            l2_regularization=float(section["l2_regularization"]),
            max_features=float(section["max_features"]),
            early_stopping=bool(section["early_stopping"]),
            n_iter_no_change=int(section["n_iter_no_change"]),
            refit_with_val=bool(section.get("refit_with_val", False)),
            subsample=float(section.get("subsample", 1.0)),
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


# Zip entries get this fixed time, so the same model always gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SCHEMA_FILE = "schema.json"
_OBJECT_ID = re.compile(r'"__id__": (\d+)')


def _canonical_archive(dumped: zipfile.ZipFile) -> dict[str, bytes]:
    """The archive's files with skops' object ids (memory addresses, different in every process)
    renumbered 1, 2, ... in order of first appearance, in the schema and in the file names."""
    schema = dumped.read(SCHEMA_FILE).decode()
    ids = [*_OBJECT_ID.findall(schema)]
    ids += [n.removesuffix(".npy") for n in dumped.namelist() if n.endswith(".npy")]
    numbering = {old: str(i) for i, old in enumerate(dict.fromkeys(ids), start=1)}
    if not numbering:
        return {name: dumped.read(name) for name in sorted(dumped.namelist())}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, numbering)) + r")\b")

    def rename(text: str) -> str:
        return pattern.sub(lambda m: numbering[m.group(1)], text)

    files = {SCHEMA_FILE: rename(schema).encode()}
    for name in dumped.namelist():
        if name != SCHEMA_FILE:
            files[rename(name)] = dumped.read(name)
    return dict(sorted(files.items()))


def save_boosting(path: str | os.PathLike[str], model: HistGradientBoostingClassifier) -> None:
    """Write the fitted model with skops, atomically, byte-identical for an identical model."""
    with zipfile.ZipFile(io.BytesIO(sio.dumps(model))) as dumped:
        files = _canonical_archive(dumped)
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w") as fixed:
        for name, content in files.items():
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            fixed.writestr(entry, content)


def load_boosting(path: str | os.PathLike[str]) -> HistGradientBoostingClassifier:
    """Load a model saved by `save_boosting`; any type beyond the tree predictor is refused."""
    untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in TRUSTED_TYPES]
    if untrusted:
        raise InputDataError(
            f"refusing to load types {format_list(untrusted)} from a model file", path=str(path)
        )
    model = sio.load(path, trusted=list(TRUSTED_TYPES))
    if not isinstance(model, HistGradientBoostingClassifier):
        raise InputDataError("not a gradient boosting model", path=str(path))
    return model
