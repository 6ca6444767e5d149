"""Settings chosen by the data: a search over a run's settings, scored by group K-fold.

A run may declare ``search:`` with a space (run settings, a kind's hyperparameters as
``gradient_boosting.<name>``, the depth context set as ``context``, the smoothing window as
``smoothing.window_m``), a budget of trials, the number of folds and the metric to maximise.
optuna's TPE sampler (seeded) proposes settings; each trial is the run's recipe with them,
fitted and scored on K folds of whole boreholes of the search's pool, and pruned early (optuna's
median pruner, after its first folds) when it cannot beat the trials before it.

The pool is the run's training and validation boreholes: its test boreholes never enter the
search, so they score the chosen settings once, at the end. Under ``evaluation: group_kfold`` the
search runs inside each outer fold on that fold's other boreholes (nested cross-validation), so
the cross-validated score includes the choice.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna
import pandas as pd

from lithoflow.classifiers import evaluation as ev
from lithoflow.classifiers.search_space import NONE, SearchSettings, apply_parameters
from lithoflow.stats.intervals import summarize

log = logging.getLogger(__name__)


@dataclass
class SearchResult:
    """Every trial and the chosen settings."""

    trials: pd.DataFrame
    chosen: dict[str, Any]  # the best trial's parameter values
    best: dict[str, Any]  # its score: mean, interval, folds
    settings: SearchSettings
    seconds: float
    pool_boreholes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        states = self.trials["state"].value_counts().to_dict() if len(self.trials) else {}
        return {
            "chosen": self.chosen,
            "cv_score": self.best,
            "metric": self.settings.metric,
            "budget": {"trials": self.settings.trials, "folds": self.settings.folds},
            "trials_by_state": {str(k): int(v) for k, v in states.items()},
            "pool_boreholes": self.pool_boreholes,
            "space": self.settings.to_dict()["space"],
            "sampler": f"optuna TPE (seed {self.settings.seed})",
            "pruner": "optuna median pruner over folds" if self.settings.prune else "none",
        }


# fit(settings, unit) -> the unit's scores on its test rows
FitUnit = Callable[[Mapping[str, Any], ev.Unit], Mapping[str, float]]


def run_search(
    settings: Mapping[str, Any],
    search: SearchSettings,
    boreholes: np.ndarray,
    y: np.ndarray,
    pool: np.ndarray,
    fit_unit: FitUnit,
) -> SearchResult:
    """Choose `search.space`'s values for a run's merged `settings` by group K-fold over the
    `pool` rows (bool per row; the others are never used), scoring each trial with `fit_unit`."""
    started = time.perf_counter()
    pool_rows = np.flatnonzero(pool)
    inner, _ = ev.kfold_units(boreholes[pool_rows], y[pool_rows], search.folds, search.seed, 1)
    units = []
    for unit in inner:
        part = np.full(len(y), "", dtype=object)
        part[pool_rows] = unit.part
        units.append(ev.Unit(replicate=0, fold=unit.fold, seed=unit.seed, part=part))
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    pruner: optuna.pruners.BasePruner = optuna.pruners.NopPruner()
    if search.prune:
        pruner = optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1)
    study = optuna.create_study(
        direction="maximize", sampler=optuna.samplers.TPESampler(seed=search.seed), pruner=pruner
    )
    records: list[dict[str, Any]] = []
    base = base_values(settings, search)
    if base:
        # The run's own settings are the first trial: the search can only return them or
        # something its folds score higher.
        study.enqueue_trial(base)

    def objective(trial: optuna.Trial) -> float:
        values = {p.name: p.suggest(trial) for p in search.space}
        trial_settings = apply_parameters(settings, values)
        scores: list[float] = []
        trial_start = time.perf_counter()
        record: dict[str, Any] = {"trial": trial.number, **values}
        try:
            for k, unit in enumerate(units):
                scores.append(float(fit_unit(trial_settings, unit)[search.metric]))
                trial.report(float(np.mean(scores)), k)
                if trial.should_prune():
                    raise optuna.TrialPruned()
        finally:
            interval = summarize(scores)
            record.update(
                {
                    "state": "complete" if len(scores) == len(units) else "pruned",
                    "folds_scored": len(scores),
                    "mean": interval.mean,
                    "low": interval.low,
                    "high": interval.high,
                    "fold_scores": ";".join(f"{s:.4f}" for s in scores),
                    "seconds": round(time.perf_counter() - trial_start, 2),
                }
            )
            records.append(record)
            log.info(
                "search trial %d (%s): %s %.4f over %d fold(s)%s in %.1f s",
                trial.number,
                ", ".join(f"{k}={v}" for k, v in values.items()),
                search.metric,
                interval.mean,
                len(scores),
                "" if record["state"] == "complete" else ", pruned",
                record["seconds"],
            )
        return float(np.mean(scores))

    study.optimize(objective, n_trials=search.trials)
    trials = pd.DataFrame(records)
    complete = trials[trials["state"] == "complete"]
    best = complete.sort_values(["mean", "trial"], ascending=[False, True]).iloc[0]
    chosen = {p.name: _plain(best[p.name]) for p in search.space}
    scores = [float(s) for s in str(best["fold_scores"]).split(";")]
    interval = summarize(scores)
    result = SearchResult(
        trials=trials,
        chosen=chosen,
        best={
            "trial": int(best["trial"]),
            "mean": interval.mean,
            "low": interval.low,
            "high": interval.high,
            "folds": scores,
        },
        settings=search,
        seconds=time.perf_counter() - started,
        pool_boreholes=sorted(set(boreholes[pool_rows])),
    )
    log.info(
        "search chose %s (%s %.4f [%.4f, %.4f] over %d folds) in %.0f s",
        chosen,
        search.metric,
        interval.mean,
        interval.low if math.isfinite(interval.low) else math.nan,
        interval.high if math.isfinite(interval.high) else math.nan,
        len(scores),
        result.seconds,
    )
    return result


def base_values(settings: Mapping[str, Any], search: SearchSettings) -> dict[str, Any]:
    """The run's own value of every searched setting that lies in the space (its first trial)."""
    values: dict[str, Any] = {}
    for p in search.space:
        if p.name == "context":
            value = settings.get("context") or NONE
        elif p.name == "smoothing.window_m":
            value = (settings.get("smoothing") or {}).get("window_m", 0)
        elif "." in p.name:
            section, name = p.name.split(".", 1)
            value = (settings.get(section) or {}).get(name)
        else:
            value = settings.get(p.name)
        if value is None:
            continue
        if p.choices is not None:
            if value in p.choices:
                values[p.name] = value
        elif p.low <= float(value) <= p.high:
            values[p.name] = int(value) if p.integer else float(value)
    return values


def _plain(value: Any) -> Any:
    """A numpy scalar as a plain Python value (for JSON and the config)."""
    return value.item() if hasattr(value, "item") else value
