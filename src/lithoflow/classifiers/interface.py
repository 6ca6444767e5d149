"""What every classifier kind provides: the fitted-model interface and its registry entry.

A kind (the MLP, gradient boosting, …) lives in two modules: its model (`<kind>.py`: a class
satisfying `ClassifierKind`, with the functions `create_model` and `restore_model`) and its
settings (`<kind>_settings.py`: its hyperparameters, their checks and one `KindInfo` describing
it, naming the model's module). `lithoflow.classifiers.kinds` collects the entries; the library,
the workflow's rules and the reports read everything kind-specific from there (weights file,
training rule, GPU use, threads, missing-value support, its own settings and their checks, report
label and colour), so adding a kind touches its two modules and the registry only.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    import numpy as np
    import torch

    from lithoflow.classifiers.spec import ClassifierSpec
    from lithoflow.training.checkpoints import ResumeStore
    from lithoflow.training.loop import TrainingResult

EpochCallback = Callable[[dict[str, Any]], None]


class ClassifierKind(Protocol):
    """One model of a classifier run, fitted or not."""

    name: ClassVar[str]

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

    def fit_final(
        self,
        train: tuple[np.ndarray, np.ndarray],
        val: tuple[np.ndarray, np.ndarray],
        n_classes: int,
        seed: int,
        weights: np.ndarray | None,
        device: torch.device,
    ) -> TrainingResult:
        """The final model: validation on `val` chooses the iterations (or epochs) as in `fit`,
        then the model learns from train and val together with that many."""

    def predict_proba(self, x: np.ndarray, device: torch.device) -> np.ndarray:
        """Class probabilities (rows × n_classes) of model-space inputs."""

    def save(self, path: Path) -> None:
        """Write the fitted model to `path` atomically, without pickle."""

    def architecture(self) -> dict[str, Any]:
        """config.json's "architecture": what `KindInfo.restore` needs to rebuild the model."""


@dataclass(frozen=True)
class KindInfo:
    """A classifier kind's registry entry (`lithoflow.classifiers.kinds.KINDS`).

    - `name`: the value of a run's ``model`` key; `label` and `colour`: how reports show it;
    - `weights_file`: the model file in the run folder; `rule`: the Snakemake rule training it;
    - `handles_missing`: takes missing inputs as they are (``missing: native``);
    - `scales_inputs`: raw-feature inputs are standardised for it;
    - `uses_gpu`: its training rule requests ``compute.gpus_per_training_job`` GPUs;
    - `threads_key`: the ``compute`` key giving its training jobs' threads;
    - `settings_key`: the run key holding its own hyperparameters (merged key by key over
      ``classifiers.defaults``), or None;
    - `seconds_per_fit`: (plain, with depth context) estimates for job ordering;
    - `implementation`: the module holding the model, imported only when a model is built
      (`create`) or loaded (`restore`): the entry itself, read by every workflow start, needs
      neither torch nor scikit-learn;
    - `problems(run, own, key)`: the kind's own checks of a run's merged settings (`own`: the
      keys set on the run itself), one message each.
    """

    name: str
    label: str
    colour: str
    weights_file: str
    rule: str
    handles_missing: bool
    scales_inputs: bool
    uses_gpu: bool
    threads_key: str
    settings_key: str | None
    seconds_per_fit: tuple[float, float]
    implementation: str
    problems: Callable[[Mapping[str, Any], Mapping[str, Any], str], Iterator[str]]

    def create(self, spec: ClassifierSpec, n_inputs: int) -> ClassifierKind:
        """An unfitted model for a run (the implementation's `create_model`)."""
        model: ClassifierKind = importlib.import_module(self.implementation).create_model(
            spec, n_inputs
        )
        return model

    def restore(self, path: Path, architecture: Mapping[str, Any]) -> ClassifierKind:
        """The fitted model saved at `path` with config.json's `architecture` (the
        implementation's `restore_model`)."""
        model: ClassifierKind = importlib.import_module(self.implementation).restore_model(
            path, architecture
        )
        return model
