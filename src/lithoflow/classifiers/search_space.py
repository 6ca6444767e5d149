"""A search's space and settings, and how a trial's values become a run's settings (no
fitting here:
lithoflow.classifiers.search runs the search)."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import optuna

from lithoflow.core.errors import format_list
from lithoflow.core.typed import build

log = logging.getLogger(__name__)


METRICS = ("accuracy", "balanced_accuracy", "macro_f1", "penalty_score")


# Keys a search space may name (besides `<kind settings>.<name>`).
RUN_KEYS = (
    "class_weighting",
    "context",
    "missing",
    "hidden",
    "dropout",
    "learning_rate",
    "batch_size",
    "selection_metric",
    "smoothing.window_m",
)


NONE = "none"  # a choice that switches a setting off (context, smoothing)


@dataclass(frozen=True, kw_only=True)
class Parameter:
    """One dimension of the space: choices, or a numeric range (log-uniform if `log`)."""

    name: str
    choices: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    log: bool = False
    integer: bool = False

    def suggest(self, trial: optuna.Trial) -> Any:
        if self.choices is not None:
            return trial.suggest_categorical(self.name, list(self.choices))
        if self.integer:
            return trial.suggest_int(self.name, int(self.low), int(self.high), log=self.log)
        return trial.suggest_float(self.name, float(self.low), float(self.high), log=self.log)


@dataclass(frozen=True, kw_only=True)
class SearchSettings:
    """A run's ``search`` section (see the schema for each key)."""

    trials: int
    folds: int
    metric: str
    seed: int
    prune: bool
    space: tuple[Parameter, ...]

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> SearchSettings:
        space = tuple(parameter(name, value) for name, value in section["space"].items())
        return build(cls, section, "search", space=space)

    def to_dict(self) -> dict[str, Any]:
        return {
            "trials": self.trials,
            "folds": self.folds,
            "metric": self.metric,
            "seed": self.seed,
            "prune": self.prune,
            "space": {
                p.name: list(p.choices)
                if p.choices is not None
                else {"low": p.low, "high": p.high, "log": p.log, "integer": p.integer}
                for p in self.space
            },
        }


def parameter(name: str, value: Any) -> Parameter:
    """A space entry: a list of choices, or {low, high, log, integer}."""
    if isinstance(value, list | tuple):
        return Parameter(name=name, choices=tuple(value))
    return Parameter(
        name=name,
        low=float(value["low"]),
        high=float(value["high"]),
        log=bool(value.get("log", False)),
        integer=bool(value.get("integer", False)),
    )


def apply_parameters(settings: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """A run's merged settings with the searched `values` set (dotted keys into sections;
    ``none`` switches a context set or the smoothing off)."""
    out = copy.deepcopy(dict(settings))
    out.pop("search", None)
    for key, value in values.items():
        if key == "context":
            if value in (None, NONE):
                out.pop("context", None)
            else:
                out["context"] = value
        elif key == "smoothing.window_m":
            if value in (None, NONE, 0, 0.0):
                out.pop("smoothing", None)
            else:
                out["smoothing"] = {**settings["smoothing"], "window_m": float(value)}
        elif "." in key:
            section, name = key.split(".", 1)
            out[section] = {**(out.get(section) or {}), name: value}
        else:
            out[key] = value
    return out


def search_problems(run: Mapping[str, Any], key: str, kind_keys: Sequence[str]) -> Iterator[str]:
    """A run's search names known keys, a usable metric and what it needs."""
    search = run.get("search")
    if not search:
        return
    for name in search["space"]:
        section = name.split(".", 1)[0]
        if name not in RUN_KEYS and section not in kind_keys:
            yield (
                f"config key {key}.search.space.{name}: not a setting a search can choose "
                f"(run settings {format_list(RUN_KEYS)}, or <kind>.<name> of "
                f"{format_list(kind_keys)})"
            )
        if name == "smoothing.window_m" and not run.get("smoothing"):
            yield (
                f"config key {key}.search.space.{name}: needs the run's smoothing section (its "
                "method and max_gap_m); the window it searches, 0 or none switches it off"
            )
        if section in kind_keys and section != _settings_key(run, kind_keys):
            yield f"config key {key}.search.space.{name}: the run's model does not use {section}"
    if search["metric"] == "penalty_score" and not run.get("penalty_matrix"):
        yield (
            f"config key {key}.search.metric: penalty_score needs classifiers.penalty_matrix "
            "and target lithology"
        )


def _settings_key(run: Mapping[str, Any], kind_keys: Sequence[str]) -> str | None:
    return next((k for k in kind_keys if k in run), None)
