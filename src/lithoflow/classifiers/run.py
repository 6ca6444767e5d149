"""Lithology / group classifier runs (docs/investigation.md §7, extended): one rule, several model
kinds.

A run (`classifiers.runs.<name>` merged over `classifiers.defaults`) names its inputs (the VAE's μ
or the raw features, optionally with depth context features), its target (lithology, expert
`group`, or `data_group` of the data-driven hierarchy), its
model kind (`mlp`: the investigation's network; `gradient_boosting`: scikit-learn's
HistGradientBoostingClassifier), what it does with missing values, whether predictions are
smoothed along depth, and how it is evaluated (`lithoflow.classifiers.evaluation`: a fixed split
with replicate seeds, or group K-fold over every borehole). Every score comes with its interval.

Classes are the labels (or groups) of every row the run sees, in sorted order. Class weights
(inverse_frequency): w_c = 1/(n_c + 1) over the training rows (classes absent from train get 1/1),
rescaled so Σw = C. Rule train_classifier is a `ClassifierRun` through
`lithoflow.training.runs.run_training`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch

from lithoflow.classifiers import evaluation as ev
from lithoflow.classifiers.data import (
    PARTS,
    ClassifierData,
    ClassifierInputs,
    prepare_classifier_data,
    with_context,
)
from lithoflow.classifiers.interface import ClassifierKind
from lithoflow.classifiers.kinds import kind_info
from lithoflow.classifiers.members import UNITS_DIR, save_member
from lithoflow.classifiers.mlp import MLPClassifier
from lithoflow.classifiers.pipeline import PIPELINE_FILE, save_chain
from lithoflow.classifiers.search import SearchResult, run_search
from lithoflow.classifiers.search_space import SearchSettings, apply_parameters
from lithoflow.classifiers.spec import ClassifierSpec, spec_settings
from lithoflow.core.dataset import DEPTH_COLUMN
from lithoflow.core.errors import InputDataError, format_list
from lithoflow.core.io import read_json, write_csv, write_json, write_parquet
from lithoflow.features.scaling import Scaler, ScalingConfig
from lithoflow.stats import metrics as mt
from lithoflow.training.checkpoints import ResumeStore
from lithoflow.training.loop import TrainingResult
from lithoflow.training.runs import CONFIG_FILE, SCALER_FILE, run_training

log = logging.getLogger(__name__)

CLASSIFIER_FORMAT = "lithoflow.classifier"
METRICS_FILE = "metrics.json"
CONFUSION_FILE = "confusion.csv"
PREDICTIONS_FILE = "predictions.parquet"
PROBABILITIES_FILE = "probabilities.parquet"
BOREHOLES_FILE = "boreholes.csv"
# The modules whose code (with every lithoflow module they import) is part of the resume key.
CODE_MODULES = ("classifiers.run",)


def class_weights(y_train: np.ndarray, n_classes: int, power: float = 1.0) -> np.ndarray:
    """w_c = 1/(n_c + 1)^power from the training rows (absent classes: n_c = 0), rescaled to
    Σw = C: power 1 for ``inverse_frequency``, 0.5 for ``sqrt_inverse_frequency`` (a milder
    push towards rare classes, which costs less accuracy)."""
    counts = np.bincount(np.asarray(y_train, dtype=np.int64), minlength=n_classes)
    weights = 1.0 / (counts + 1.0) ** power
    return weights * n_classes / weights.sum()


# Class weighting -> the power of 1/(n_c + 1); "none" has no weights.
WEIGHTING_POWER = {"inverse_frequency": 1.0, "sqrt_inverse_frequency": 0.5}


def weights_of(weighting: str, y_train: np.ndarray, n_classes: int) -> np.ndarray | None:
    """The class weights of a run's `class_weighting` (None for "none")."""
    if weighting not in WEIGHTING_POWER:
        return None
    return class_weights(y_train, n_classes, WEIGHTING_POWER[weighting])


def make_kind(spec: ClassifierSpec, n_inputs: int) -> ClassifierKind:
    """The run's model kind, unfitted."""
    return spec.kind.create(spec, n_inputs)


def _units(spec: ClassifierSpec, data: ClassifierData) -> tuple[list[ev.Unit], dict[str, int]]:
    if spec.evaluation == "group_kfold":
        return ev.kfold_units(data.boreholes, data.y, spec.folds, spec.seed, spec.replicates)
    return ev.split_units(data.part, spec.seed, spec.replicates), {}


@dataclass
class ClassifierRun:
    """Rule train_classifier's part of `run_training`, for every classifier kind.

    `fit` fits one model per evaluation unit (replicates × folds); the model of unit 0 is the
    run's saved model. Besides the common files it writes metrics.json (scores of every unit, their
    means and intervals), confusion.csv (unit 0's test rows, or replicate 0's out-of-fold rows in
    k-fold), predictions.parquet (every unit's predicted rows) and boreholes.csv (per-borehole
    accuracy on test rows).
    """

    step: ClassVar[str] = "train_classifier"
    code_modules: ClassVar[tuple[str, ...]] = CODE_MODULES
    history_columns: ClassVar[tuple[str, ...]] = ()

    spec: ClassifierSpec
    data: ClassifierData
    input_files: list[str | os.PathLike[str]]
    penalty: pd.DataFrame | None = None
    results: list[ev.UnitResult] = field(default_factory=list)
    folds: dict[str, int] = field(default_factory=dict)
    unit_stores: list[ResumeStore] = field(default_factory=list)
    # Where every unit's fitted model is saved with its input chain (units/<unit>/), if set.
    units_dir: Path | None = None
    # The searches run (a run with `search`): ("all", result) for split evaluation, one per
    # outer fold ("r0f2", result) under group K-fold (nested cross-validation).
    searches: list[tuple[str, SearchResult]] = field(default_factory=list)

    @property
    def weights_file(self) -> str:
        return self.spec.kind.weights_file

    @property
    def first(self) -> ev.UnitResult:
        if not self.results:
            raise RuntimeError("the classifier run has not been fitted")
        return self.results[0]

    @property
    def scaler(self) -> Scaler:
        return self.first.inputs.scaler

    @property
    def settings(self) -> dict[str, Any]:
        return {
            "spec": self.spec.to_dict(),
            "classes": list(self.data.classes),
            "inputs": self.data.input_columns,
        }

    def _weights(self, y_train: np.ndarray) -> np.ndarray | None:
        return weights_of(self.spec.class_weighting, y_train, len(self.data.classes))

    def unit_inputs(self, unit: ev.Unit) -> ev.UnitInputs:
        """The unit's inputs by part, prepared as the run's settings say (missing values,
        indicators, scaling, smoothing)."""
        spec = self.spec
        return ev.unit_inputs(
            self.data,
            unit,
            missing=spec.missing,
            indicators=spec.missing_indicators,
            scale=spec.kind.scales_inputs and spec.input == "raw",
            scaler_fit=spec.scaler_fit,
            smoothing=spec.smoothing,
        )

    def fit_unit(
        self,
        unit: ev.Unit,
        device: torch.device,
        resume: ResumeStore | None,
        on_epoch_end: Callable[[dict[str, Any]], None] | None,
    ) -> ev.UnitResult:
        """Fit and score one unit."""
        spec, data = self.spec, self.data
        info = spec.kind
        if spec.missing == "native" and not info.handles_missing:
            raise InputDataError(f"run {spec.name}: missing: native, which {info.name} cannot take")
        inputs = self.unit_inputs(unit)
        kind = make_kind(spec, len(inputs.scaler.features))
        y = {part: data.y[inputs.rows[part]] for part in PARTS}
        weights = self._weights(y["train"])
        training = kind.fit(
            (inputs.x["train"], y["train"]),
            (inputs.x["val"], y["val"]),
            len(data.classes),
            unit.seed,
            weights,
            device,
            resume,
            on_epoch_end,
        )
        # Every unit is scored on its test rows; only the first replicate of a split run also
        # predicts its train and val rows (in-sample rows, for a look at over-fitting): further
        # replicates would repeat that at the cost of a prediction over the whole dataset each.
        parts = PARTS if unit.fold is None and unit.replicate == 0 else ("test",)
        predicted, probabilities = ev.predict_parts(kind, inputs, data.keys, device, parts)
        scores = ev.score(
            y["test"], predicted["test"], data.classes, self.penalty, spec.penalty_matrix or ""
        )
        log.info(
            "classifier %s unit %s: %s",
            spec.name,
            unit.name,
            ", ".join(f"{k} {v:.4f}" for k, v in scores.items()),
        )
        return ev.UnitResult(
            unit, training, inputs, predicted, scores, kind, {"weights": weights}, probabilities
        )

    def search(
        self, pool: np.ndarray, device: torch.device
    ) -> tuple[ClassifierSpec, ClassifierData, SearchResult]:
        """The settings a search chooses on the `pool` rows (train and val boreholes), and the
        run's spec and data with them."""
        base = spec_settings(self.spec)
        search = SearchSettings.from_config(self.spec.search or {})
        name, data, penalty = self.spec.name, self.data, self.penalty

        def fit_trial(settings: Mapping[str, Any], unit: ev.Unit) -> Mapping[str, float]:
            trial = ClassifierSpec.from_merged(name, settings)
            run = ClassifierRun(
                spec=trial, data=with_context(data, trial.context), input_files=[], penalty=penalty
            )
            return run.fit_unit(unit, device, None, None).scores

        result = run_search(base, search, data.boreholes, data.y, pool, fit_trial)
        chosen = ClassifierSpec.from_merged(name, apply_parameters(base, result.chosen))
        return chosen, with_context(data, chosen.context), result

    def fit(
        self,
        device: torch.device,
        resume: ResumeStore | None,
        on_epoch_end: Callable[[dict[str, Any]], None] | None,
    ) -> TrainingResult:
        nested = self.spec.search is not None and self.spec.evaluation == "group_kfold"
        if self.spec.search is not None and not nested:
            # The run's train and val boreholes choose the settings; the test boreholes score
            # the chosen settings once.
            pool = np.isin(self.data.part, ["train", "val"])
            self.spec, self.data, result = self.search(pool, device)
            self.searches.append(("all", result))
        units, self.folds = _units(self.spec, self.data)
        self.results = []
        for i, unit in enumerate(units):
            store = ev.sub_store(resume, unit, len(units))
            if store is not None and store is not resume:
                self.unit_stores.append(store)
            if nested:
                # Nested cross-validation: the search runs on this fold's other boreholes.
                spec, data, found = self.search(np.isin(unit.part, ["train", "val"]), device)
                self.searches.append((unit.name, found))
                fold_run = ClassifierRun(spec=spec, data=data, input_files=[], penalty=self.penalty)
                result = fold_run.fit_unit(unit, device, store, on_epoch_end if i == 0 else None)
            else:
                result = self.fit_unit(unit, device, store, on_epoch_end if i == 0 else None)
            if self.units_dir is not None:
                self.save_unit(result)
            if i > 0:
                result.kind = None  # only unit 0's model is kept and saved
            self.results.append(result)
        return self.first.training

    def save_unit(self, result: ev.UnitResult) -> None:
        """Save one unit's fitted model and input chain (`predict.model: evaluated` applies
        them)."""
        if self.units_dir is None or result.kind is None:
            return
        unit, rows = result.unit, result.inputs.rows
        about = {
            "unit": unit.name,
            "replicate": unit.replicate,
            "fold": unit.fold,
            "seed": unit.seed,
            "rows": {part: int(rows[part].size) for part in PARTS},
            "boreholes": {part: sorted(set(self.data.boreholes[rows[part]])) for part in PARTS},
        }
        save_member(
            self.units_dir / unit.name,
            result.kind,
            result.inputs.chain,
            self.spec,
            self.data.classes,
            about,
        )

    def save_weights(self, path: Path) -> None:
        if self.first.kind is None:
            raise RuntimeError("train first")
        self.first.kind.save(path)

    def config_payload(self, result: TrainingResult) -> dict[str, Any]:
        first = self.first
        if first.kind is None:
            raise RuntimeError("train first")
        weights = first.extra["weights"]
        return {
            "format": CLASSIFIER_FORMAT,
            "name": self.spec.name,
            "spec": self.spec.to_dict(),
            "classes": list(self.data.classes),
            "input_columns": self.data.input_columns,
            "model_inputs": list(first.inputs.scaler.features),
            "architecture": first.kind.architecture(),
            "weights_file": self.spec.kind.weights_file,
            "saved_model": f"unit {first.unit.name} (replicate 0"
            + (", fold 0)" if first.unit.fold is not None else ")"),
            "class_weights": weights.tolist() if weights is not None else None,
            "imputer": first.inputs.imputer.to_dict() if first.inputs.imputer else None,
            "input_scaling": SCALER_FILE if self.scaler.n_samples else "none (inputs as they are)",
            **({"search": self.search_record(trials=False)} if self.searches else {}),
        }

    def search_record(self, trials: bool = True) -> dict[str, Any]:
        """What the search(es) chose, on which score, with every trial (`trials`)."""
        if len(self.searches) == 1 and self.searches[0][0] == "all":
            record = self.searches[0][1].summary()
            if trials:
                record["trials"] = _scored_trials(self.searches[0][1])
            return record
        folds = []
        rows = []
        for unit, result in self.searches:
            folds.append({"unit": unit, **result.summary()})
            rows += [{"outer_unit": unit, **r} for r in _scored_trials(result)]
        record: dict[str, Any] = {
            "nested": True,
            "scope": "a search inside every outer fold, on its other boreholes",
            "folds": folds,
        }
        if trials:
            record["trials"] = rows
        return record

    def timings(self) -> dict[str, Any]:
        """Wall-clock seconds of the search's trials, for provenance.json (bench/search.py reads
        them); metrics.json holds only what the config and seed determine."""
        if not self.searches:
            return {}
        trials = [
            {"outer_unit": unit, "trial": int(t), "seconds": float(s)}
            for unit, result in self.searches
            for t, s in zip(result.trials["trial"], result.trials["seconds"], strict=True)
        ]
        return {
            "search_seconds": round(sum(r["seconds"] for r in trials), 2),
            "search_trial_seconds": trials,
        }

    def metrics(self) -> dict[str, Any]:
        """metrics.json: scores (mean over units) with intervals, unit 0's details, data use."""
        spec, data, first = self.spec, self.data, self.first
        classes = data.classes
        intervals = ev.summarize_units(self.results)
        test_rows = first.inputs.rows["test"]
        pooled_true, pooled_pred = self._confusion_rows()
        summary = mt.classification_summary(pooled_true, pooled_pred, classes)
        # Under K-fold every unit has its own parts: a class is absent from test when no unit
        # tests it, and absent from train (or val) when some unit's train (val) rows lack it, so
        # the unit that tests it never learnt it. Replicates of a split share their parts.
        in_part = {
            part: [set(np.unique(data.y[r.inputs.rows[part]])) for r in self.results]
            for part in PARTS
        }
        present_in = {
            "test": set().union(*in_part["test"]),
            "train": set.intersection(*in_part["train"]),
            "val": set.intersection(*in_part["val"]),
        }
        record = first.training.best_record
        best_validation = None
        if record is not None:
            keys = ("val_loss", "val_accuracy", "val_balanced_accuracy")
            best_validation = {
                k.removeprefix("val_"): float(record[k]) for k in keys if k in record
            }
        metrics: dict[str, Any] = {
            "run": spec.name,
            "spec": spec.to_dict(),
            "model": spec.model,
            "evaluation": spec.evaluation,
            "n_units": len(self.results),
            "n_classes": len(classes),
            "classes": list(classes),
            **{name: interval.mean for name, interval in intervals.items()},
            "metric_scope": (
                "mean over the units (replicates"
                + (" × folds" if spec.evaluation == "group_kfold" else "")
                + ") of each unit's test rows"
            ),
            "intervals": ev.intervals_payload(intervals),
            "balanced_accuracy_scope": "mean recall over the classes present in the test part",
            "n_test_classes_present": summary["n_classes_present"],
            "per_class_recall": summary["per_class_recall"],
            "classes_absent_from_test": [
                c for i, c in enumerate(classes) if i not in present_in["test"]
            ],
            "classes_absent_from_train": [
                c for i, c in enumerate(classes) if i not in present_in["train"]
            ],
            "classes_absent_from_val": [
                c for i, c in enumerate(classes) if i not in present_in["val"]
            ],
            "class_weighting": spec.class_weighting,
            "class_weight_ratio": _weight_ratio(first.extra["weights"]),
            "selection_metric": spec.selection_metric,
            "stop_epoch": first.training.epochs_run,
            "best_epoch": first.training.best_epoch
            if first.training.best_epoch is not None
            else first.training.epochs_run,
            "stopped_early": first.training.stopped_early,
            "best_validation": best_validation,
            "rows": {part: int(first.inputs.rows[part].size) for part in PARTS},
            "boreholes": {
                part: int(np.unique(data.boreholes[first.inputs.rows[part]]).size) for part in PARTS
            },
            "data_use": self._data_use(),
            "units": [self._unit_record(r) for r in self.results],
            "leakage": data.leakage,
        }
        if self.searches:
            metrics["search"] = self.search_record()
        if self.penalty is not None:
            metrics["penalty_score_scope"] = (
                "-mean over test rows of penalty[true, predicted]; 0 = perfect"
            )
            metrics["penalty_matrix"] = spec.penalty_matrix
        if spec.evaluation == "split" and spec.bootstrap > 0:
            metrics["bootstrap"] = ev.intervals_payload(
                ev.bootstrap_scores(
                    first,
                    data.y,
                    data.keys,
                    classes,
                    self.penalty,
                    spec.penalty_matrix or "",
                    spec.bootstrap,
                    spec.seed,
                )
            )
        if test_rows.size == 0:
            raise InputDataError(f"run {spec.name}: no test rows left to score")
        return metrics

    def _confusion_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """(true, predicted) of the rows confusion.csv counts: unit 0's test rows, or every
        out-of-fold test row of replicate 0."""
        chosen = [r for r in self.results if r.unit.replicate == 0]
        if self.spec.evaluation == "split":
            chosen = chosen[:1]
        true = np.concatenate([self.data.y[r.inputs.rows["test"]] for r in chosen])
        pred = np.concatenate([r.predicted["test"] for r in chosen])
        return true, pred

    def _unit_record(self, result: ev.UnitResult) -> dict[str, Any]:
        rows = result.inputs.rows
        return {
            "unit": result.unit.name,
            "replicate": result.unit.replicate,
            "fold": result.unit.fold,
            "seed": result.unit.seed,
            **result.scores,
            "rows": {part: int(rows[part].size) for part in PARTS},
            "boreholes": {
                part: int(np.unique(self.data.boreholes[rows[part]]).size) for part in PARTS
            },
            "epochs_run": result.training.epochs_run,
        }

    def _data_use(self) -> dict[str, Any]:
        """Rows and boreholes the run saw and used, and what missing values cost (unit 0)."""
        first = self.first
        return {
            "missing": self.spec.missing,
            "rows_seen": int(self.data.y.size),
            "boreholes_seen": int(np.unique(self.data.boreholes).size),
            "rows_dropped_for_missing_values": first.inputs.dropped,
            "boreholes_lost_to_missing_values": first.inputs.boreholes_lost,
            "inputs": len(first.inputs.scaler.features),
            **({"rows_without_data_group": self.data.unplaced} if self.data.unplaced else {}),
        }

    def write_results(
        self, folder: Path, result: TrainingResult, device: torch.device
    ) -> dict[str, Any]:
        """metrics.json, confusion.csv, predictions.parquet, boreholes.csv and pipeline.json
        (the saved model's input chain); the metrics."""
        metrics = self.metrics()
        write_json(folder / METRICS_FILE, metrics)
        save_chain(folder / PIPELINE_FILE, self.first.inputs.chain)
        true, pred = self._confusion_rows()
        write_csv(folder / CONFUSION_FILE, mt.confusion_long(true, pred, self.data.classes))
        write_parquet(folder / PREDICTIONS_FILE, predictions_frame(self.data, self.results))
        write_parquet(folder / PROBABILITIES_FILE, probabilities_frame(self.data, self.results))
        write_csv(
            folder / BOREHOLES_FILE,
            ev.per_borehole_scores(self.results, self.data.y, self.data.keys),
        )
        for store in self.unit_stores:  # the run's own store is cleared by run_training
            store.clear()
        return metrics


def _weight_ratio(weights: np.ndarray | None) -> float:
    return float(weights.max() / weights.min()) if weights is not None else 1.0


def probabilities_frame(data: ClassifierData, results: Sequence[ev.UnitResult]) -> pd.DataFrame:
    """probabilities.parquet: every unit's test rows with the probability of each class (what an
    ensemble of runs averages): borehole_id, depth_bin_m, unit, replicate, fold, true, classes."""
    names = np.asarray(data.classes, dtype=object)
    frames = []
    for result in results:
        rows = result.inputs.rows["test"]
        frame = pd.DataFrame(
            {
                "borehole_id": data.keys["borehole_id"].to_numpy()[rows],
                DEPTH_COLUMN: data.keys[DEPTH_COLUMN].to_numpy(dtype=np.float64)[rows],
                "unit": result.unit.name,
                "replicate": np.int64(result.unit.replicate),
                "fold": np.int64(-1 if result.unit.fold is None else result.unit.fold),
                "true": names[data.y[rows]],
            }
        )
        probabilities = result.probabilities
        for j, name in enumerate(data.classes):
            frame[str(name)] = probabilities[:, j] if probabilities is not None else np.nan
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def predictions_frame(data: ClassifierData, results: Sequence[ev.UnitResult]) -> pd.DataFrame:
    """predictions.parquet: borehole_id, depth_bin_m, true, predicted, part, replicate, fold.

    Test rows of every unit; train and val rows of the first replicate of a split run."""
    names = np.asarray(data.classes, dtype=object)
    frames = []
    for result in results:
        for part, predicted in result.predicted.items():
            rows = result.inputs.rows[part]
            frames.append(
                pd.DataFrame(
                    {
                        "borehole_id": data.keys["borehole_id"].to_numpy()[rows],
                        DEPTH_COLUMN: data.keys[DEPTH_COLUMN].to_numpy(dtype=np.float64)[rows],
                        "true": names[data.y[rows]],
                        "predicted": names[predicted],
                        "part": part,
                        "replicate": np.int64(result.unit.replicate),
                        "fold": np.int64(-1 if result.unit.fold is None else result.unit.fold),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def prepare_classifier_run(
    spec: ClassifierSpec, files: ClassifierInputs, scaling: ScalingConfig
) -> ClassifierRun:
    """Prepare the rows, inputs and penalty matrix of one classifier run."""
    data = prepare_classifier_data(spec, files, scaling)
    penalty = mt.read_penalty_matrix(spec.penalty_matrix) if spec.penalty_matrix else None
    counts = {part: int((data.part == part).sum()) for part in PARTS}
    log.info(
        "classifier %s (%s, %s evaluation): %d classes, %d rows (train/val/test %s), inputs %s",
        spec.name,
        spec.model,
        spec.evaluation,
        len(data.classes),
        data.y.size,
        "/".join(str(counts[p]) for p in PARTS) if spec.evaluation == "split" else "by fold",
        format_list(data.input_columns),
    )
    return ClassifierRun(spec=spec, data=data, input_files=files.files(), penalty=penalty)


def train_classifier_run(
    *,
    spec: ClassifierSpec,
    files: ClassifierInputs,
    scaling: ScalingConfig,
    output_dir: str | os.PathLike[str],
    device: torch.device,
    resume_dir: str | os.PathLike[str] | None = None,
    full_config: Mapping[str, Any] | None = None,
    workflow_dir: str | os.PathLike[str] | None = None,
    on_epoch_end: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Rule train_classifier: prepare, fit every unit, write the run folder; the metrics."""
    run = prepare_classifier_run(spec, files, scaling)
    run.units_dir = Path(output_dir) / UNITS_DIR
    outcome = run_training(
        run,
        output_dir=output_dir,
        device=device,
        resume_dir=resume_dir,
        full_config=full_config,
        workflow_dir=workflow_dir,
        on_epoch_end=on_epoch_end,
    )
    metrics = outcome.summary
    intervals = metrics["intervals"]
    log.info(
        "classifier %s: balanced accuracy %.4f [%.4f, %.4f] over %d unit(s), accuracy %.4f",
        spec.name,
        metrics["balanced_accuracy"],
        intervals["balanced_accuracy"]["low"],
        intervals["balanced_accuracy"]["high"],
        metrics["n_units"],
        metrics["accuracy"],
    )
    return metrics


def load_classifier(
    model_dir: str | os.PathLike[str],
) -> tuple[MLPClassifier | Any, Scaler, dict[str, Any]]:
    """(model on the CPU, its input scaler, its config.json) from a run folder (either kind)."""
    folder = Path(model_dir)
    config = read_json(folder / CONFIG_FILE)
    if config.get("format") != CLASSIFIER_FORMAT:
        raise InputDataError("not a lithoflow classifier config", path=str(folder))
    arch = config["architecture"]
    restored = kind_info(arch["kind"]).restore(folder / config["weights_file"], arch)
    return restored.model, Scaler.from_json(folder / SCALER_FILE), config


def _scored_trials(result: SearchResult) -> list[dict[str, Any]]:
    """A search's trials as records, without their timings (those go to provenance.json)."""
    return result.trials.drop(columns="seconds").to_dict(orient="records")
