"""Ensembles of runs: a run whose class probabilities are the mean of other runs' (``ensemble:
{members: [...]}``), evaluated like any run.

The members share the ensemble's target, split and evaluation (checked with the config), so
their units (replicates, or folds) test the same rows: unit by unit, the ensemble averages the
members' test-row probabilities (`probabilities.parquet`), takes the most probable class, and is
scored as every run is (each unit's scores, their mean and 95 % interval, a borehole bootstrap).
Applied to new boreholes (`predict`), an ensemble averages its members' models.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.classifiers import evaluation as ev
from lithoflow.core.dataset import DEPTH_COLUMN
from lithoflow.core.errors import InputDataError, format_list
from lithoflow.core.io import read_json, write_csv, write_json, write_parquet
from lithoflow.stats import metrics as mt
from lithoflow.stats.intervals import summarize

log = logging.getLogger(__name__)

MEMBERS_FILE = "members.json"
KEYS = ("unit", "borehole_id", DEPTH_COLUMN)


def mean_probabilities(tables: Sequence[pd.DataFrame], path_names: Sequence[str]) -> pd.DataFrame:
    """The members' test-row probabilities averaged row by row (rows matched on unit, borehole
    and depth); InputDataError when the members do not test the same rows or classes."""
    first = tables[0]
    classes = [c for c in first.columns if c not in (*KEYS, "replicate", "fold", "true")]
    ordered = first.sort_values(list(KEYS)).reset_index(drop=True)
    total = ordered[classes].to_numpy(dtype=np.float64).copy()
    for table, name in zip(tables[1:], path_names[1:], strict=True):
        members = [c for c in table.columns if c not in (*KEYS, "replicate", "fold", "true")]
        if members != classes:
            raise InputDataError(
                f"member {name} has the classes {format_list(members)}, not {format_list(classes)}"
            )
        other = table.sort_values(list(KEYS)).reset_index(drop=True)
        if not other[list(KEYS)].equals(ordered[list(KEYS)]):
            raise InputDataError(f"member {name} did not test the same rows as {path_names[0]}")
        total += other[classes].to_numpy(dtype=np.float64)
    ordered[classes] = total / len(tables)
    return ordered


def evaluate_ensemble(
    *,
    name: str,
    members: Mapping[str, str | os.PathLike[str]],
    output_dir: str | os.PathLike[str],
    penalty: pd.DataFrame | None,
    penalty_path: str,
    bootstrap: int,
    seed: int,
) -> dict[str, Any]:
    """Average the members' probabilities, score every unit, write the run folder's files."""
    folders = {member: Path(folder) for member, folder in members.items()}
    tables = [pd.read_parquet(folder / "probabilities.parquet") for folder in folders.values()]
    averaged = mean_probabilities(tables, list(folders))
    member_metrics = {m: read_json(folder / "metrics.json") for m, folder in folders.items()}
    reference = next(iter(member_metrics.values()))
    classes = list(reference["classes"])
    index = {c: i for i, c in enumerate(classes)}
    probabilities = averaged[classes].to_numpy()
    averaged["predicted"] = np.asarray(classes, dtype=object)[probabilities.argmax(axis=1)]
    y_true = np.asarray([index[t] for t in averaged["true"]], dtype=np.int64)
    y_pred = probabilities.argmax(axis=1)
    unit_records = []
    for unit, rows in averaged.groupby("unit", sort=True).indices.items():
        scores = ev.score(y_true[rows], y_pred[rows], classes, penalty, penalty_path)
        part_rows = averaged.iloc[rows]
        unit_records.append(
            {
                "unit": unit,
                "replicate": int(part_rows["replicate"].iloc[0]),
                "fold": None if part_rows["fold"].iloc[0] < 0 else int(part_rows["fold"].iloc[0]),
                **scores,
                "rows": {"test": len(rows)},
                "boreholes": {"test": int(part_rows["borehole_id"].nunique())},
            }
        )
    names = list(unit_records[0]) if unit_records else []
    score_names = [n for n in names if n in ev.SCORE_BOUNDS]
    intervals = {
        n: summarize([r[n] for r in unit_records], bounds=ev.SCORE_BOUNDS[n]) for n in score_names
    }
    first_unit = averaged["unit"] == unit_records[0]["unit"]
    summary = mt.classification_summary(y_true[first_unit], y_pred[first_unit], classes)
    metrics: dict[str, Any] = {
        "run": name,
        "model": "ensemble",
        "members": list(folders),
        "spec": {**reference["spec"], "name": name, "model": "ensemble", "members": list(folders)},
        "evaluation": reference["evaluation"],
        "n_units": len(unit_records),
        "n_classes": len(classes),
        "classes": classes,
        **{n: interval.mean for n, interval in intervals.items()},
        "metric_scope": (
            "mean over the units of each unit's test rows, the members' probabilities averaged"
        ),
        "intervals": ev.intervals_payload(intervals),
        "per_class_recall": summary["per_class_recall"],
        "units": unit_records,
        "member_scores": {
            m: {n: metrics_[n] for n in score_names if n in metrics_}
            for m, metrics_ in member_metrics.items()
        },
    }
    if bootstrap > 0 and reference["evaluation"] == "split":
        rows = np.flatnonzero(first_unit.to_numpy())
        codes, groups = pd.factorize(averaged["borehole_id"].to_numpy()[rows])
        totals = mt.confusion_matrices_by_group(
            codes, y_true[rows], y_pred[rows], len(groups), len(classes)
        )
        costs = mt.penalty_costs(classes, penalty, penalty_path) if penalty is not None else None

        def statistics(counts: np.ndarray) -> dict[str, float]:
            return mt.scores_of_counts(counts, costs)

        from lithoflow.stats.intervals import bootstrap_group_totals

        metrics["bootstrap"] = ev.intervals_payload(
            bootstrap_group_totals(totals, statistics, n_resamples=bootstrap, seed=seed)
        )
    folder = Path(output_dir)
    write_json(folder / "metrics.json", metrics)
    write_json(folder / MEMBERS_FILE, {"members": {m: str(f) for m, f in folders.items()}})
    write_json(
        folder / "config.json",
        {
            "format": "lithoflow.classifier_ensemble",
            "name": name,
            "spec": metrics["spec"],
            "classes": classes,
            "members": list(folders),
        },
    )
    predictions = averaged[[*KEYS, "replicate", "fold", "true", "predicted"]].assign(part="test")
    write_parquet(folder / "predictions.parquet", predictions.drop(columns=["unit"]))
    write_parquet(folder / "probabilities.parquet", averaged.drop(columns=["predicted"]))
    write_csv(
        folder / "confusion.csv",
        mt.confusion_long(y_true[first_unit], y_pred[first_unit], classes),
    )
    log.info(
        "ensemble %s of %s: %s",
        name,
        ", ".join(folders),
        ", ".join(f"{n} {intervals[n].mean:.4f}" for n in score_names),
    )
    return metrics
