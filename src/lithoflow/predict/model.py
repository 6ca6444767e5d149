"""The model a prediction applies: a run's final model, or its evaluated model(s).

- ``final``: the run's recipe refitted on all its labelled boreholes (train and val), with the
  number of iterations (or epochs) validation chose (`lithoflow.classifiers.final`), saved in the
  run folder's ``final/``;
- ``evaluated``: the model(s) the run's metrics describe, one per evaluation unit (replicate,
  or fold under group K-fold), saved under ``units/<unit>/``; their class probabilities are
  averaged.

Each model comes with its own input chain (`pipeline.json`), so every member applies exactly
what it was evaluated with.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from lithoflow.classifiers.interface import ClassifierKind
from lithoflow.classifiers.kinds import kind_info
from lithoflow.classifiers.pipeline import (
    PIPELINE_FILE,
    ChainOutput,
    InputChain,
    apply_chain,
    load_chain,
)
from lithoflow.core.errors import InputDataError
from lithoflow.core.io import read_json
from lithoflow.predict.settings import EVALUATED, FINAL
from lithoflow.training.runs import CONFIG_FILE

FINAL_DIR = "final"
UNITS_DIR = "units"


@dataclass
class AppliedModel:
    """The members (input chain and fitted model) whose probabilities a prediction averages."""

    which: str  # final | evaluated
    run: str
    members: list[tuple[InputChain, ClassifierKind]]
    folders: list[Path]

    @property
    def chain(self) -> InputChain:
        """The first member's chain (every member has the same features and classes)."""
        return self.members[0][0]

    @property
    def classes(self) -> tuple[str, ...]:
        return self.chain.classes

    def apply(self, frame: pd.DataFrame, device: torch.device) -> ChainOutput:
        """Every member's chain applied to `frame`; the mean of their probabilities."""
        outputs = [apply_chain(chain, kind, frame, device) for chain, kind in self.members]
        applied = np.logical_and.reduce([o.applied for o in outputs])
        probabilities = np.mean([o.probabilities for o in outputs], axis=0)
        probabilities[~applied] = np.nan
        return ChainOutput(probabilities=probabilities, applied=applied)


def load_member(folder: str | os.PathLike[str]) -> tuple[InputChain, ClassifierKind]:
    """The input chain and fitted model saved in `folder` (config.json, pipeline.json and the
    kind's weights file)."""
    folder = Path(folder)
    config = read_json(folder / CONFIG_FILE)
    architecture = config["architecture"]
    kind = kind_info(architecture["kind"]).restore(folder / config["weights_file"], architecture)
    return load_chain(folder / PIPELINE_FILE), kind


def model_folders(run_dir: str | os.PathLike[str], which: str) -> list[Path]:
    """The folders of the members of `which` model of the run in `run_dir`."""
    run_dir = Path(run_dir)
    if which == FINAL:
        return [run_dir / FINAL_DIR]
    if which != EVALUATED:
        raise InputDataError(f"predict.model must be {FINAL} or {EVALUATED}, got {which!r}")
    units = sorted(p for p in (run_dir / UNITS_DIR).iterdir() if p.is_dir())
    if not units:
        raise InputDataError("the run saved no evaluated units", path=str(run_dir / UNITS_DIR))
    return units


def load_applied_model(run_dir: str | os.PathLike[str], run: str, which: str) -> AppliedModel:
    """The final or evaluated model of the run saved in `run_dir`."""
    folders = model_folders(run_dir, which)
    members = [load_member(folder) for folder in folders]
    classes = {chain.classes for chain, _ in members}
    if len(classes) != 1:
        raise InputDataError("the run's units have different classes", path=str(run_dir))
    return AppliedModel(which=which, run=run, members=members, folders=folders)
