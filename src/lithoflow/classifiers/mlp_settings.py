"""The MLP kind's settings and its registry entry.

Kept apart from the network (`lithoflow.classifiers.mlp`) so that reading and checking a config
does not import torch; the registry entry names the network's module, imported when a model is
built or loaded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lithoflow.classifiers.interface import KindInfo
from lithoflow.training.files import MODEL_FILE

SELECTION_MODES = {"accuracy": "max", "balanced_accuracy": "max", "loss": "min"}


@dataclass(frozen=True)
class MLPParams:
    """The MLP's architecture and training recipe (a classifier spec's MLP settings)."""

    hidden: tuple[int, ...]
    dropout: float
    learning_rate: float
    batch_size: int
    max_epochs: int
    patience: int
    selection_metric: str


def mlp_problems(run: Mapping[str, Any], own: Mapping[str, Any], key: str) -> Iterator[str]:
    """The MLP has no settings of its own to check."""
    return iter(())


INFO = KindInfo(
    name="mlp",
    label="MLP (the investigation's network)",
    colour="#4C72B0",
    weights_file=MODEL_FILE,
    rule="train_classifier",
    handles_missing=False,
    scales_inputs=True,
    uses_gpu=True,
    threads_key="training_threads",
    settings_key=None,
    seconds_per_fit=(30.0, 30.0),
    implementation="lithoflow.classifiers.mlp",
    problems=mlp_problems,
)
