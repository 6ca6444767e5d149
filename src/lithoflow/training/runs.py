"""One skeleton for every model training run (rules train_vae, train_classifier and those to come).

Every run takes the same steps in the same order:

1. the model kind's settings and input files give the resume key (`training_key`), so only state
   of the very same run is ever resumed;
2. the kind builds and fits its model: per epoch through `lithoflow.training.loop.run_epochs`
   (resume state saved after every epoch) or in one go;
3. the run folder is written with one naming convention: the weights (`ModelRun.weights_file`,
   model.pt for torch kinds), config.json, scaler.json, history.csv, then the kind's own results
   (e.g. embeddings, predictions, metrics), and provenance.json last;
4. the resume state is cleared.

A model kind supplies only what differs, as an object satisfying `ModelRun`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

import pandas as pd
import torch
from torch import nn

from lithoflow.core.device import describe_device
from lithoflow.core.io import write_csv, write_json
from lithoflow.core.provenance import build_provenance, write_provenance
from lithoflow.features.scaling import Scaler
from lithoflow.training.checkpoints import ResumeStore, save_state_dict, training_key
from lithoflow.training.files import (
    CONFIG_FILE,
    HISTORY_FILE,
    MODEL_FILE,
    PROVENANCE_FILE,
    SCALER_FILE,
)
from lithoflow.training.loop import TrainingResult

EpochCallback = Callable[[dict[str, Any]], None]
Module = TypeVar("Module", bound=nn.Module)


class ModelRun(Protocol):
    """One model kind's part of a training run, its data already prepared.

    `step` names the rule (recorded in provenance.json); `code_modules` the lithoflow modules
    (relative dotted names, e.g. "vae.run") whose import closure is part of the resume key;
    `weights_file` the weights' file name in the run folder; `history_columns` the columns that
    lead history.csv (the other columns follow in the order the history has them).
    """

    step: str
    code_modules: Sequence[str]
    weights_file: str
    history_columns: Sequence[str]

    @property
    def settings(self) -> dict[str, Any]:
        """What besides device, input bytes and code determines training (JSON-like)."""

    @property
    def input_files(self) -> list[str | os.PathLike[str]]:
        """The files whose bytes the run depends on."""

    @property
    def scaler(self) -> Scaler:
        """The input scaler, saved as scaler.json."""

    def fit(
        self,
        device: torch.device,
        resume: ResumeStore | None,
        on_epoch_end: EpochCallback | None,
    ) -> TrainingResult:
        """Build and fit the model (per epoch with `resume`, or in one go: then one history row)."""

    def save_weights(self, path: Path) -> None:
        """Save the fitted model's weights to `path` atomically, without pickle."""

    def config_payload(self, result: TrainingResult) -> dict[str, Any]:
        """config.json: what `load_*` needs to rebuild the model, and how it was trained."""

    def write_results(
        self, folder: Path, result: TrainingResult, device: torch.device
    ) -> dict[str, Any]:
        """Predict or encode with the fitted model, write the kind's own files; a summary."""

    def timings(self) -> dict[str, Any]:
        """Wall-clock facts of the kind's own steps beyond the epochs (provenance.json only)."""


class TorchModelRun(Generic[Module]):
    """For kinds whose model is a torch module: `fit` sets `model`, saved as a plain state dict."""

    weights_file: ClassVar[str] = MODEL_FILE
    model: Module | None

    def fitted(self) -> Module:
        """The fitted model (an error before `fit`)."""
        if self.model is None:
            raise RuntimeError(f"{type(self).__name__}: the model has not been fitted")
        return self.model

    def save_weights(self, path: Path) -> None:
        save_state_dict(path, self.fitted())


@dataclass
class RunOutcome:
    """What a run did: its training history and the summary its model kind returned."""

    training: TrainingResult
    summary: dict[str, Any] = field(default_factory=dict)


def history_frame(result: TrainingResult, leading: Sequence[str] = ()) -> pd.DataFrame:
    """history.csv: one row per epoch, the `leading` columns (those present) first."""
    frame = pd.DataFrame(result.history)
    columns = [c for c in leading if c in frame.columns]
    return frame[columns + [c for c in frame.columns if c not in columns]]


def training_provenance_extra(result: TrainingResult) -> dict[str, Any]:
    """Training facts every run records in provenance.json."""
    return {
        "training_seconds": float(sum(r["seconds"] for r in result.history)),
        "epochs_run": result.epochs_run,
        "resumed_from_epoch": result.resumed_from_epoch,
    }


def run_training(
    run: ModelRun,
    *,
    output_dir: str | os.PathLike[str],
    device: torch.device,
    resume_dir: str | os.PathLike[str] | None = None,
    full_config: Mapping[str, Any] | None = None,
    workflow_dir: str | os.PathLike[str] | None = None,
    on_epoch_end: EpochCallback | None = None,
) -> RunOutcome:
    """Resume key → fit → run folder (weights, config, scaler, history, results, provenance).

    Resume state (if `resume_dir`) is kept while training and deleted once every output is
    written, so a job killed at any point before resumes where it stopped.
    """
    settings = {**run.settings, "device": device.type}
    resume = None
    if resume_dir is not None:
        key = training_key(settings, run.input_files, run.code_modules)
        resume = ResumeStore(resume_dir, key)

    result = run.fit(device, resume, on_epoch_end)

    folder = Path(output_dir)
    run.save_weights(folder / run.weights_file)
    write_json(folder / CONFIG_FILE, run.config_payload(result))
    run.scaler.to_json(folder / SCALER_FILE)
    write_csv(folder / HISTORY_FILE, history_frame(result, run.history_columns))
    summary = run.write_results(folder, result, device)
    record = build_provenance(
        step=run.step,
        config=full_config,
        settings=settings,
        device=describe_device(device),
        workflow_dir=workflow_dir,
        extra={**training_provenance_extra(result), **run.timings()},
    )
    write_provenance(folder / PROVENANCE_FILE, record)
    if resume is not None:
        resume.clear()
    return RunOutcome(training=result, summary=summary)
