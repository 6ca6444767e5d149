"""Lithology / group classifiers on VAE embeddings or raw features (methodology.md §7).

MLP: inputs → hidden[0] → ReLU → Dropout → hidden[1] → ReLU → Dropout → classes. Classes are the
labels (target lithology) or groups (target group) of the whole split (all parts), in sorted order.
Class weights (inverse_frequency): w_c = 1/(n_c + 1) over the training rows (classes absent from
train get 1/1), rescaled so Σw = C, used by CrossEntropyLoss(weight=w) with mean reduction.
Early stopping on a validation metric (patience, strict improvement); best weights restored.
Trained with autograd and torch.optim.Adam; rule train_classifier is a `ClassifierRun` through
`lithoflow.models.runs.run_training`.
"""

from __future__ import annotations

import itertools
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils import skip_init

from lithoflow.core.dataset import DEPTH_COLUMN, KEY_COLUMNS, LABEL_COLUMN, read_dataset
from lithoflow.core.errors import InputDataError, format_list
from lithoflow.core.io import read_json, write_csv, write_json, write_parquet
from lithoflow.hierarchy.mapping import groups_of, read_mapping
from lithoflow.models import embeddings as emb
from lithoflow.models import metrics as mt
from lithoflow.models.checkpoints import ResumeStore, load_torch
from lithoflow.models.runs import (
    CONFIG_FILE,
    MODEL_FILE,
    SCALER_FILE,
    TorchModelRun,
    run_training,
)
from lithoflow.models.scaling import Scaler, ScalingConfig
from lithoflow.models.training import (
    EarlyStopping,
    GeneratorsAndOptimizer,
    TrainingResult,
    batch_bounds,
    derive_seeds,
    init_linear_,
    make_generator,
    run_epochs,
    shuffled,
    to_tensor,
)

log = logging.getLogger(__name__)

CLASSIFIER_FORMAT = "lithoflow.classifier"
PARTS: tuple[str, ...] = ("train", "val", "test")
METRICS_FILE = "metrics.json"
CONFUSION_FILE = "confusion.csv"
PREDICTIONS_FILE = "predictions.parquet"
# The module whose code (with every lithoflow module it imports) is part of the resume key.
CODE_MODULES = ("models.classifiers",)
SELECTION_MODES = {"accuracy": "max", "balanced_accuracy": "max", "loss": "min"}


@dataclass(frozen=True)
class ClassifierSpec:
    """One classifier run: a `classifiers.runs` entry merged over `classifiers.defaults`."""

    name: str
    input: str
    target: str
    split: str
    class_weighting: str
    selection_metric: str
    hidden: tuple[int, ...]
    dropout: float
    learning_rate: float
    batch_size: int
    max_epochs: int
    patience: int
    seed: int
    scaler_fit: str
    vae: str | None = None
    penalty_matrix: str | None = None  # cost CSV for penalty_score (lithology targets only)

    @classmethod
    def from_config(cls, classifiers: Mapping[str, Any], run: str) -> ClassifierSpec:
        """Merge `classifiers.runs[run]` over `classifiers.defaults`."""
        merged = {**classifiers["defaults"], **classifiers["runs"][run]}
        if classifiers.get("penalty_matrix"):
            merged["penalty_matrix"] = classifiers["penalty_matrix"]
        return cls.from_merged(run, merged)

    @classmethod
    def from_merged(cls, name: str, merged: Mapping[str, Any]) -> ClassifierSpec:
        """Build from a run's settings already merged over the defaults."""
        return cls(
            name=name,
            input=str(merged["input"]),
            target=str(merged["target"]),
            split=str(merged["split"]),
            class_weighting=str(merged["class_weighting"]),
            selection_metric=str(merged["selection_metric"]),
            hidden=tuple(int(h) for h in merged["hidden"]),
            dropout=float(merged["dropout"]),
            learning_rate=float(merged["learning_rate"]),
            batch_size=int(merged["batch_size"]),
            max_epochs=int(merged["max_epochs"]),
            patience=int(merged["patience"]),
            seed=int(merged["seed"]),
            scaler_fit=str(merged["scaler_fit"]),
            vae=str(merged["vae"])
            if merged.get("vae") and merged["input"] == "embedding"
            else None,
            penalty_matrix=str(merged["penalty_matrix"])
            if merged.get("penalty_matrix") and merged["target"] == "lithology"
            else None,
        )

    def to_dict(self) -> dict[str, Any]:
        payload = asdict(self)
        payload["hidden"] = list(self.hidden)
        if payload["penalty_matrix"] is None:  # keep specs without it as they were
            del payload["penalty_matrix"]
        return payload


def class_weights(y_train: np.ndarray, n_classes: int) -> np.ndarray:
    """w_c = 1/(n_c + 1) from the training rows (absent classes: n_c = 0), rescaled to Σw = C."""
    counts = np.bincount(np.asarray(y_train, dtype=np.int64), minlength=n_classes)
    weights = 1.0 / (counts + 1.0)
    return weights * n_classes / weights.sum()


class MLPClassifier(nn.Module):
    """Linear → ReLU → Dropout per hidden layer, then a linear output of class logits.

    Dropout masks are drawn from the generator passed to `forward`, never from torch's global RNG.
    """

    def __init__(
        self,
        n_inputs: int,
        hidden: Sequence[int],
        n_classes: int,
        dropout: float,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        sizes = [int(n_inputs), *(int(h) for h in hidden)]
        self.hidden_layers = nn.ModuleList(
            skip_init(nn.Linear, n_in, n_out) for n_in, n_out in itertools.pairwise(sizes)
        )
        self.output = skip_init(nn.Linear, sizes[-1], int(n_classes))
        self.dropout = float(dropout)
        # Initialised from `generator` only (seed 0 if none), never from torch's global RNG.
        generator = generator if generator is not None else make_generator(0)
        for layer in [*self.hidden_layers, self.output]:
            init_linear_(layer, generator)

    def forward(
        self, x: torch.Tensor, dropout_generator: torch.Generator | None = None
    ) -> torch.Tensor:
        keep = 1.0 - self.dropout
        for layer in self.hidden_layers:
            x = F.relu(layer(x))
            if self.training and self.dropout > 0:
                mask = torch.empty_like(x).bernoulli_(keep, generator=dropout_generator)
                x = x * mask.div_(keep)
        return self.output(x)

    @torch.no_grad()
    def predict(self, x: torch.Tensor, batch_rows: int = 65536) -> torch.Tensor:
        """Argmax class index of each row (eval mode, no dropout)."""
        was_training = self.training
        self.eval()
        out = [self(x[i : i + batch_rows]).argmax(dim=1) for i in range(0, x.shape[0], batch_rows)]
        self.train(was_training)
        return torch.cat(out) if out else torch.zeros(0, dtype=torch.long, device=x.device)


@dataclass
class PartData:
    """One split part: its keys, inputs (model space) and class indices."""

    keys: pd.DataFrame
    x: np.ndarray
    y: np.ndarray

    @property
    def n_rows(self) -> int:
        return int(self.y.shape[0])

    @property
    def boreholes(self) -> set[str]:
        return set(self.keys["borehole_id"])


@dataclass
class ClassifierData:
    """Everything a classifier run trains and is evaluated on."""

    classes: tuple[str, ...]
    input_columns: list[str]
    scaler: Scaler
    parts: dict[str, PartData]
    leakage: dict[str, Any] | None = None


def targets_of(frame: pd.DataFrame, target: str, mapping: Mapping[str, str] | None) -> np.ndarray:
    """The target of each row: its label (lithology), or its label's group (group)."""
    labels = frame[LABEL_COLUMN].astype(str)
    if target == "lithology":
        return labels.to_numpy(dtype=object)
    if mapping is None:
        raise InputDataError("target group needs the hierarchy mapping")
    return groups_of(labels, mapping).to_numpy(dtype=object)


def prepare_classifier_data(
    spec: ClassifierSpec,
    split_paths: Mapping[str, str | os.PathLike[str]],
    scaling: ScalingConfig,
    embeddings_path: str | os.PathLike[str] | None = None,
    mapping_path: str | os.PathLike[str] | None = None,
) -> ClassifierData:
    """Read the split parts, build targets and inputs (VAE μ or scaled raw features)."""
    datasets = {part: read_dataset(split_paths[part]) for part in PARTS}
    frames = {part: d.frame.reset_index(drop=True) for part, d in datasets.items()}
    if frames["train"].empty:
        raise InputDataError("the training part is empty", path=str(split_paths["train"]))
    if frames["test"].empty:
        raise InputDataError("the test part is empty", path=str(split_paths["test"]))

    mapping = None
    if spec.target == "group" and mapping_path is not None:
        mapping = read_mapping(mapping_path)
    targets = {part: targets_of(frame, spec.target, mapping) for part, frame in frames.items()}
    classes = tuple(sorted(set().union(*(set(t) for t in targets.values()))))
    index = {name: i for i, name in enumerate(classes)}

    leakage = None
    if spec.input == "embedding":
        if embeddings_path is None:
            raise InputDataError(f"run {spec.name} needs the VAE embeddings")
        table, metadata = emb.read_embeddings(embeddings_path)
        columns = list(metadata["latent_columns"])
        inputs = {
            part: emb.join_embeddings(frame, table, columns, embeddings_path)
            for part, frame in frames.items()
        }
        # The classifier uses μ as it is (methodology.md §7): its own scaler is the identity.
        scaler = Scaler.identity(columns)
        seen = emb.vae_training_boreholes(table, metadata)
        test_boreholes = set(frames["test"]["borehole_id"])
        leakage = {
            "vae": metadata.get("vae", spec.vae),
            "vae_split": metadata.get("split_method"),
            "vae_train_on": metadata.get("train_on"),
            "vae_scaler_fit": metadata.get("scaler_fit"),
            "test_boreholes": len(test_boreholes),
            "test_boreholes_seen_by_vae": len(test_boreholes & seen),
        }
        if leakage["test_boreholes_seen_by_vae"]:
            log.warning(
                "the VAE was trained on %d of the %d test boreholes (transductive leakage)",
                leakage["test_boreholes_seen_by_vae"],
                leakage["test_boreholes"],
            )
    else:
        columns = list(datasets["train"].features)
        raw = {part: frame[columns].to_numpy(dtype=np.float64) for part, frame in frames.items()}
        fit_on = raw["train"] if spec.scaler_fit == "train" else np.vstack(list(raw.values()))
        scaler = Scaler.fit(fit_on, columns, scaling.transforms_for(columns))
        inputs = {part: scaler.transform(values) for part, values in raw.items()}

    parts = {
        part: PartData(
            keys=frames[part][list(KEY_COLUMNS)].copy(),
            x=inputs[part],
            y=np.array([index[t] for t in targets[part]], dtype=np.int64),
        )
        for part in PARTS
    }
    return ClassifierData(
        classes=classes, input_columns=columns, scaler=scaler, parts=parts, leakage=leakage
    )


class ClassifierTask(GeneratorsAndOptimizer):
    """One MLP run for `run_epochs`: autograd, torch.optim.Adam, shuffle and dropout generators."""

    def __init__(
        self,
        model: MLPClassifier,
        data: ClassifierData,
        spec: ClassifierSpec,
        weights: np.ndarray | None,
        device: torch.device,
    ) -> None:
        self.model = model
        self.device = device

        def tensors(part: str) -> tuple[torch.Tensor, torch.Tensor]:
            item = data.parts[part]
            return to_tensor(item.x, device), to_tensor(item.y, device, torch.int64)

        self.x_train, self.y_train = tensors("train")
        self.x_val, self.y_val = tensors("val")
        self.n_classes = len(data.classes)
        self.weight = to_tensor(weights, device) if weights is not None else None
        self.optimizer = torch.optim.Adam(model.parameters(), lr=spec.learning_rate)
        _, shuffle_seed, dropout_seed = derive_seeds(spec.seed, 3)
        self.shuffle_generator = make_generator(shuffle_seed, device)
        self.dropout_generator = make_generator(dropout_seed, device)
        self.generators = {
            "shuffle_generator": self.shuffle_generator,
            "dropout_generator": self.dropout_generator,
        }
        self.bounds = batch_bounds(self.x_train.shape[0], spec.batch_size)

    def train_epoch(self, epoch: int) -> dict[str, float]:
        x_epoch, y_epoch = shuffled([self.x_train, self.y_train], self.shuffle_generator)
        total = torch.zeros((), dtype=torch.float64, device=self.device)
        for start, stop in self.bounds:
            self.optimizer.zero_grad()
            logits = self.model(x_epoch[start:stop], self.dropout_generator)
            loss = F.cross_entropy(logits, y_epoch[start:stop], weight=self.weight)
            loss.backward()
            self.optimizer.step()
            total += loss.detach()
        return {"train_loss": total.item() / len(self.bounds)}

    @torch.no_grad()
    def evaluate(self, epoch: int) -> dict[str, float]:
        if self.x_val.shape[0] == 0:
            return {}
        logits = self.model(self.x_val)
        loss = F.cross_entropy(logits, self.y_val, weight=self.weight).item()
        y_pred = logits.argmax(dim=1).cpu().numpy()
        y_true = self.y_val.cpu().numpy()
        return {
            "val_loss": loss,
            "val_accuracy": mt.accuracy(y_true, y_pred),
            "val_balanced_accuracy": mt.balanced_accuracy(y_true, y_pred, self.n_classes),
        }


def build_classifier(n_inputs: int, n_classes: int, spec: ClassifierSpec) -> MLPClassifier:
    """A freshly initialised classifier; the weights depend only on the spec's seed."""
    init_seed = derive_seeds(spec.seed, 3)[0]
    return MLPClassifier(
        n_inputs, spec.hidden, n_classes, spec.dropout, generator=make_generator(init_seed)
    )


def fit_classifier(
    model: MLPClassifier,
    data: ClassifierData,
    spec: ClassifierSpec,
    device: torch.device,
    *,
    weights: np.ndarray | None = None,
    resume: ResumeStore | None = None,
    on_epoch_end: Callable[[dict[str, Any]], None] | None = None,
) -> TrainingResult:
    """Train with early stopping on the validation `spec.selection_metric`; best weights restored.

    Without validation rows there is nothing to select on: all `max_epochs` run, last weights kept.
    """
    model.to(device)
    task = ClassifierTask(model, data, spec, weights, device)
    stopping = None
    if data.parts["val"].n_rows:
        stopping = EarlyStopping(spec.patience, SELECTION_MODES[spec.selection_metric])
    else:
        log.warning("no validation rows: no early stopping, the last epoch's weights are kept")
    return run_epochs(
        task,
        spec.max_epochs,
        stopping=stopping,
        selection_metric=f"val_{spec.selection_metric}",
        resume=resume,
        on_epoch_end=on_epoch_end,
    )


def predict_parts(
    model: MLPClassifier, data: ClassifierData, device: torch.device
) -> dict[str, np.ndarray]:
    """Predicted class index of every row of every part."""
    model.eval()
    return {
        part: model.predict(to_tensor(item.x, device)).cpu().numpy()
        for part, item in data.parts.items()
    }


def _best_validation(result: TrainingResult) -> dict[str, float] | None:
    record = result.best_record
    if record is None:
        return None
    keys = ("val_loss", "val_accuracy", "val_balanced_accuracy")
    return {k.removeprefix("val_"): float(record[k]) for k in keys if k in record}


def classifier_metrics(
    spec: ClassifierSpec,
    data: ClassifierData,
    predictions: Mapping[str, np.ndarray],
    result: TrainingResult,
    weights: np.ndarray | None,
) -> dict[str, Any]:
    """metrics.json: test metrics, class coverage, weights, training summary (no timings)."""
    classes = data.classes
    test = data.parts["test"]
    summary = mt.classification_summary(test.y, predictions["test"], classes)
    present_in = {part: set(np.unique(item.y)) for part, item in data.parts.items()}
    return {
        "run": spec.name,
        "spec": spec.to_dict(),
        "n_classes": len(classes),
        "classes": list(classes),
        "accuracy": summary["accuracy"],
        "balanced_accuracy": summary["balanced_accuracy"],
        "balanced_accuracy_scope": "mean recall over the classes present in the test part",
        "macro_f1": summary["macro_f1"],
        "n_test_classes_present": summary["n_classes_present"],
        "per_class_recall": summary["per_class_recall"],
        "classes_absent_from_test": [
            c for i, c in enumerate(classes) if i not in present_in["test"]
        ],
        "classes_absent_from_train": [
            c for i, c in enumerate(classes) if i not in present_in["train"]
        ],
        "classes_absent_from_val": [c for i, c in enumerate(classes) if i not in present_in["val"]],
        "class_weighting": spec.class_weighting,
        "class_weight_ratio": float(weights.max() / weights.min()) if weights is not None else 1.0,
        "selection_metric": spec.selection_metric,
        "stop_epoch": result.epochs_run,
        "best_epoch": result.best_epoch if result.best_epoch is not None else result.epochs_run,
        "stopped_early": result.stopped_early,
        "best_validation": _best_validation(result),
        "rows": {part: item.n_rows for part, item in data.parts.items()},
        "boreholes": {part: len(item.boreholes) for part, item in data.parts.items()},
        "leakage": data.leakage,
        **penalty_metrics(spec, test.y, predictions["test"], classes),
    }


def penalty_metrics(
    spec: ClassifierSpec, y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str]
) -> dict[str, Any]:
    """penalty_score on the test part and the matrix it used, when the spec names a matrix."""
    if spec.penalty_matrix is None:
        return {}
    penalty = mt.read_penalty_matrix(spec.penalty_matrix)
    return {
        "penalty_score": mt.penalty_score(y_true, y_pred, classes, penalty, spec.penalty_matrix),
        "penalty_score_scope": "-mean over test rows of penalty[true, predicted]; 0 = perfect",
        "penalty_matrix": spec.penalty_matrix,
    }


def predictions_frame(data: ClassifierData, predictions: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """predictions.parquet: borehole_id, depth_bin_m, true, predicted, part (every row)."""
    names = np.asarray(data.classes, dtype=object)
    frames = []
    for part, item in data.parts.items():
        frames.append(
            pd.DataFrame(
                {
                    "borehole_id": item.keys["borehole_id"].to_numpy(),
                    DEPTH_COLUMN: item.keys[DEPTH_COLUMN].to_numpy(dtype=np.float64),
                    "true": names[item.y],
                    "predicted": names[predictions[part]],
                    "part": part,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


@dataclass
class ClassifierRun(TorchModelRun[MLPClassifier]):
    """Rule train_classifier's part of `run_training` for the MLP.

    Besides the common files it writes metrics.json, confusion.csv (long form: true, predicted,
    count; test part, non-zero cells) and predictions.parquet. Data, class weights, metrics and
    files are the same for every classifier kind; what is the MLP's own is `fit`,
    `save_weights`, `architecture` and `predict`, which another kind (fitted per epoch or in one
    go) overrides, with `weights_file` and `code_modules`.
    """

    step: ClassVar[str] = "train_classifier"
    code_modules: ClassVar[tuple[str, ...]] = CODE_MODULES
    history_columns: ClassVar[tuple[str, ...]] = ()

    spec: ClassifierSpec
    data: ClassifierData
    class_weights: np.ndarray | None
    input_files: list[str | os.PathLike[str]]
    model: MLPClassifier | None = None

    @property
    def scaler(self) -> Scaler:
        return self.data.scaler

    @property
    def settings(self) -> dict[str, Any]:
        return {
            "spec": self.spec.to_dict(),
            "classes": list(self.data.classes),
            "inputs": self.data.input_columns,
            "scaler": self.data.scaler.to_dict(),
        }

    def fit(
        self,
        device: torch.device,
        resume: ResumeStore | None,
        on_epoch_end: Callable[[dict[str, Any]], None] | None,
    ) -> TrainingResult:
        n_inputs, n_classes = len(self.data.input_columns), len(self.data.classes)
        self.model = build_classifier(n_inputs, n_classes, self.spec)
        return fit_classifier(
            self.model,
            self.data,
            self.spec,
            device,
            weights=self.class_weights,
            resume=resume,
            on_epoch_end=on_epoch_end,
        )

    def architecture(self) -> dict[str, Any]:
        """config.json's "architecture": what `load_classifier` rebuilds the model from."""
        return {
            "n_inputs": len(self.data.input_columns),
            "hidden": list(self.spec.hidden),
            "n_classes": len(self.data.classes),
            "dropout": self.spec.dropout,
            "parameters": sum(p.numel() for p in self.fitted().parameters()),
        }

    def predict(self, device: torch.device) -> dict[str, np.ndarray]:
        """Predicted class index of every row of every part."""
        return predict_parts(self.fitted(), self.data, device)

    def config_payload(self, result: TrainingResult) -> dict[str, Any]:
        weights = self.class_weights
        return {
            "format": CLASSIFIER_FORMAT,
            "name": self.spec.name,
            "spec": self.spec.to_dict(),
            "classes": list(self.data.classes),
            "input_columns": self.data.input_columns,
            "architecture": self.architecture(),
            "class_weights": weights.tolist() if weights is not None else None,
            "input_scaling": SCALER_FILE if self.spec.input == "raw" else "none (VAE μ as is)",
        }

    def write_results(
        self, folder: Path, result: TrainingResult, device: torch.device
    ) -> dict[str, Any]:
        """metrics.json, confusion.csv and predictions.parquet; returns the metrics."""
        data = self.data
        predictions = self.predict(device)
        metrics = classifier_metrics(self.spec, data, predictions, result, self.class_weights)
        write_json(folder / METRICS_FILE, metrics)
        test = data.parts["test"]
        confusion = mt.confusion_long(test.y, predictions["test"], data.classes)
        write_csv(folder / CONFUSION_FILE, confusion)
        write_parquet(folder / PREDICTIONS_FILE, predictions_frame(data, predictions))
        return metrics


def prepare_classifier_run(
    spec: ClassifierSpec,
    split_paths: Mapping[str, str | os.PathLike[str]],
    scaling: ScalingConfig,
    embeddings_path: str | os.PathLike[str] | None = None,
    mapping_path: str | os.PathLike[str] | None = None,
) -> ClassifierRun:
    """Prepare the data and class weights of one classifier run."""
    data = prepare_classifier_data(spec, split_paths, scaling, embeddings_path, mapping_path)
    n_classes = len(data.classes)
    weights = None
    if spec.class_weighting == "inverse_frequency":
        weights = class_weights(data.parts["train"].y, n_classes)
    log.info(
        "classifier %s: %d classes, rows train/val/test %d/%d/%d, inputs %s",
        spec.name,
        n_classes,
        data.parts["train"].n_rows,
        data.parts["val"].n_rows,
        data.parts["test"].n_rows,
        format_list(data.input_columns),
    )
    files = [split_paths[p] for p in PARTS]
    files += [p for p in (embeddings_path, mapping_path) if p is not None]
    return ClassifierRun(spec=spec, data=data, class_weights=weights, input_files=files)


def train_classifier_run(
    *,
    spec: ClassifierSpec,
    split_paths: Mapping[str, str | os.PathLike[str]],
    scaling: ScalingConfig,
    output_dir: str | os.PathLike[str],
    device: torch.device,
    embeddings_path: str | os.PathLike[str] | None = None,
    mapping_path: str | os.PathLike[str] | None = None,
    resume_dir: str | os.PathLike[str] | None = None,
    full_config: Mapping[str, Any] | None = None,
    workflow_dir: str | os.PathLike[str] | None = None,
    on_epoch_end: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Rule train_classifier: prepare data, train, evaluate, write the run folder; the metrics.

    The steps (resume key, fit, files, provenance) are `lithoflow.models.runs.run_training`'s.
    """
    run = prepare_classifier_run(spec, split_paths, scaling, embeddings_path, mapping_path)
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
    log.info(
        "classifier %s: test accuracy %.4f, balanced accuracy %.4f (best epoch %s of %d)",
        spec.name,
        metrics["accuracy"],
        metrics["balanced_accuracy"],
        metrics["best_epoch"],
        metrics["stop_epoch"],
    )
    return metrics


def load_classifier(
    model_dir: str | os.PathLike[str],
) -> tuple[MLPClassifier, Scaler, dict[str, Any]]:
    """(model in eval mode on the CPU, its input scaler, its config.json) from a run folder."""
    folder = Path(model_dir)
    config = read_json(folder / CONFIG_FILE)
    if config.get("format") != CLASSIFIER_FORMAT:
        raise InputDataError("not a lithoflow classifier config", path=str(folder))
    arch = config["architecture"]
    model = MLPClassifier(arch["n_inputs"], arch["hidden"], arch["n_classes"], arch["dropout"])
    model.load_state_dict(load_torch(folder / MODEL_FILE))
    model.eval()
    return model, Scaler.from_json(folder / SCALER_FILE), config
