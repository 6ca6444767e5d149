"""A classifier run's final model: its recipe refitted on all its labelled boreholes.

The evaluated models learn from the training boreholes and stop on the validation boreholes
(early stopping). The model that is handed to users learns from both: validation first chooses
the number of iterations (gradient boosting) or the epoch (the MLP) exactly as in the evaluation
(first replicate's seed), then the model is fitted on the training and validation boreholes
together with that many (`ClassifierKind.fit_final`). Under group K-fold the validation fold of
the first unit chooses, and every borehole is learnt from. The test boreholes of a split are
never used. A gradient-boosting run with ``refit_with_val`` already refits this way, so its final
model is its first evaluated model.

The final model's folder (``final/`` in the run folder) holds the weights, config.json,
pipeline.json (its input chain: the first unit's, fitted on the training rows) and
provenance.json, like every saved member (`lithoflow.classifiers.members`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lithoflow.classifiers import evaluation as ev
from lithoflow.classifiers.data import PARTS, ClassifierInputs, with_context
from lithoflow.classifiers.members import save_member
from lithoflow.classifiers.run import make_kind, prepare_classifier_run, weights_of
from lithoflow.classifiers.spec import ClassifierSpec
from lithoflow.core.device import describe_device
from lithoflow.core.provenance import build_provenance, write_provenance
from lithoflow.features.scaling import ScalingConfig
from lithoflow.training.runs import PROVENANCE_FILE

log = logging.getLogger(__name__)


def _without_name(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k != "name" and v is not None}


def final_unit(spec: ClassifierSpec, boreholes: np.ndarray, y: np.ndarray, part: np.ndarray):
    """The unit whose validation rows choose the iterations: the split's parts, or under group
    K-fold the first unit's validation fold with every other borehole for training."""
    if spec.evaluation == "split":
        return ev.split_units(part, spec.seed, 1)[0]
    units, _ = ev.kfold_units(boreholes, y, spec.folds, spec.seed, 1)
    first = units[0]
    return ev.Unit(
        replicate=0, fold=None, seed=first.seed, part=np.where(first.part == "val", "val", "train")
    )


def train_final_model(
    *,
    spec: ClassifierSpec,
    files: ClassifierInputs,
    scaling: ScalingConfig,
    output_dir: str | os.PathLike[str],
    device: torch.device,
    full_config: Mapping[str, Any] | None = None,
    workflow_dir: str | os.PathLike[str] | None = None,
    chosen: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Fit the run's final model and write its folder; a summary of what it learnt from.

    A searched run's final model takes the settings its search chose: `chosen` (the evaluated
    run's config.json spec) under split evaluation; under group K-fold, whose folds each chose
    their own, a search on every borehole chooses them.
    """
    run = prepare_classifier_run(spec, files, scaling)
    searched = None
    if spec.search is not None:
        if spec.evaluation == "split" and chosen is not None:
            run.spec = ClassifierSpec.from_merged(spec.name, _without_name(chosen))
            run.data = with_context(run.data, run.spec.context)
        else:
            run.spec, run.data, found = run.search(np.ones(len(run.data.y), dtype=bool), device)
            searched = found.summary()
        spec = run.spec
    data = run.data
    unit = final_unit(spec, data.boreholes, data.y, data.part)
    inputs = run.unit_inputs(unit)
    y = {part: data.y[inputs.rows[part]] for part in PARTS}
    both = np.concatenate([y["train"], y["val"]])
    weights = weights_of(spec.class_weighting, both, len(data.classes))
    kind = make_kind(spec, len(inputs.scaler.features))
    training = kind.fit_final(
        (inputs.x["train"], y["train"]),
        (inputs.x["val"], y["val"]),
        len(data.classes),
        unit.seed,
        weights,
        device,
    )
    folder = Path(output_dir)
    learnt = {part: sorted(set(data.boreholes[inputs.rows[part]])) for part in ("train", "val")}
    summary = {
        "run": spec.name,
        "model": "final",
        "seed": unit.seed,
        "rows": {part: int(inputs.rows[part].size) for part in ("train", "val")},
        "boreholes": learnt,
        "chosen": training.history[-1] if training.history else {},
        "settings": spec.to_dict(),
        **({"search": searched} if searched else {}),
        "note": (
            "fitted on the train and val boreholes with the iterations (or epochs) the val "
            "boreholes chose; the input chain is the first unit's, fitted on the train rows"
        ),
    }
    save_member(folder, kind, inputs.chain, spec, data.classes, summary)
    record = build_provenance(
        step="final_classifier",
        config=full_config,
        settings={"spec": spec.to_dict(), "device": device.type},
        device=describe_device(device),
        workflow_dir=workflow_dir,
        extra={"final": summary},
    )
    write_provenance(folder / PROVENANCE_FILE, record)
    log.info(
        "final model of %s: %d train + %d val rows from %d boreholes",
        spec.name,
        summary["rows"]["train"],
        summary["rows"]["val"],
        len(learnt["train"]) + len(learnt["val"]),
    )
    return summary
