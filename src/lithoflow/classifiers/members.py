"""A fitted classifier saved so that it can be applied on its own: a "member" folder.

Each evaluated unit (replicate, or fold) of a run and its final model are saved alike:

- the kind's weights file (`model.pt`: a torch state dict; `model.skops`: trees, no pickle);
- ``config.json``: the kind's architecture (what rebuilds the model), the weights file, the
  classes, and what the member learnt from;
- ``pipeline.json``: its input chain (`lithoflow.classifiers.pipeline`).

`lithoflow.predict.model.load_member` reads one back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lithoflow.classifiers.interface import ClassifierKind
from lithoflow.classifiers.pipeline import PIPELINE_FILE, InputChain, save_chain
from lithoflow.classifiers.spec import ClassifierSpec
from lithoflow.core.io import write_json
from lithoflow.training.runs import CONFIG_FILE

MEMBER_FORMAT = "lithoflow.classifier_member"
# The subfolder of a run folder holding every evaluated unit (units/<unit>/).
UNITS_DIR = "units"


def save_member(
    folder: str | Path,
    kind: ClassifierKind,
    chain: InputChain,
    spec: ClassifierSpec,
    classes: Sequence[str],
    about: Mapping[str, Any],
) -> None:
    """Write one fitted model with its chain into `folder` (weights, config.json, pipeline.json)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    kind.save(folder / spec.kind.weights_file)
    save_chain(folder / PIPELINE_FILE, chain)
    write_json(
        folder / CONFIG_FILE,
        {
            "format": MEMBER_FORMAT,
            "run": spec.name,
            "architecture": kind.architecture(),
            "weights_file": spec.kind.weights_file,
            "classes": list(classes),
            "about": dict(about),
        },
    )
