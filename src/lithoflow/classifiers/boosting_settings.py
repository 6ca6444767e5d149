"""The gradient-boosting kind's settings, their checks and its registry entry.

Kept apart from the model (`lithoflow.classifiers.boosting`) so that reading and checking a
config, which every workflow start and every cluster job does, imports neither scikit-learn nor
torch; the registry entry names the model's module, imported when a model is built or loaded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from lithoflow.classifiers.interface import KindInfo
from lithoflow.core.typed import build

NAME = "gradient_boosting"
# The run key holding this kind's hyperparameters (merged key by key over the defaults).
SETTINGS_KEY = "gradient_boosting"
MODEL_FILE = "model.skops"


@dataclass(frozen=True, kw_only=True)
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
    refit_with_val: bool
    # Share of the rows each fit learns from, drawn per class without replacement with the
    # replicate's seed (1: all rows). Neighbouring depth bins carry nearly the same values, so half
    # of them teach the trees almost as much in half the time, and replicates then differ by more
    # than the split-feature sampling.
    subsample: float

    @classmethod
    def from_config(cls, section: Mapping[str, Any], key: str = "") -> BoostingParams:
        """From a run's merged `gradient_boosting` settings (or a saved `to_dict`)."""
        return build(cls, section, key)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def boosting_problems(run: Mapping[str, Any], own: Mapping[str, Any], key: str) -> Iterator[str]:
    """Its settings are there; the refit takes the iterations early stopping chose."""
    params = run.get(SETTINGS_KEY)
    if not params:
        yield (
            f"config key {key}.{SETTINGS_KEY}: model {NAME} needs its settings "
            f"(classifiers.defaults.{SETTINGS_KEY})"
        )
        return
    if params.get("refit_with_val") and not params.get("early_stopping"):
        yield (
            f"config key {key}.{SETTINGS_KEY}.refit_with_val: the refit takes the number of "
            "iterations that early stopping chose, so it needs early_stopping: true"
        )


INFO = KindInfo(
    name=NAME,
    label="gradient boosting (scikit-learn)",
    colour="#DD8452",
    weights_file=MODEL_FILE,
    rule="train_boosting_classifier",
    handles_missing=True,
    scales_inputs=False,
    uses_gpu=False,
    threads_key="boosting_threads",
    settings_key=SETTINGS_KEY,
    seconds_per_fit=(25.0, 80.0),
    implementation="lithoflow.classifiers.boosting",
    problems=boosting_problems,
)
