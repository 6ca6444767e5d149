"""The ``predict`` section: which classifier run to apply, which of its models, to what.

```yaml
predict:
  run: boosting_context      # a run of classifiers.runs
  model: final               # final: the run's recipe refitted on its train and val boreholes
                             # evaluated: the evaluated model(s), their mean probability
  data:                      # the boreholes to classify, in the forms of `data`
    source: las
    las: {path: new_wells/}  # keys left out are those of data.las (curves, label curve, codes)
```

Labels in the new boreholes are optional; where they exist, the summary scores the predictions.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lithoflow.core.errors import format_list
from lithoflow.core.typed import build

FINAL = "final"
EVALUATED = "evaluated"
# The data sources a predict section may read (each borehole is one job).
SOURCES = ("las", "table")


@dataclass(frozen=True, kw_only=True)
class PredictSettings:
    """The validated ``predict`` section (`data` merged over the training data's settings)."""

    run: str
    model: str
    bootstrap: int
    seed: int
    data: dict[str, Any]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> PredictSettings:
        """From a validated config holding a ``predict`` section."""
        section = config["predict"]
        return build(cls, section, "predict", data=predict_data(config))

    @property
    def source(self) -> str:
        return str(self.data["source"])


def fill_source_defaults(config: dict[str, Any], defaults: Mapping[str, Mapping[str, Any]]) -> None:
    """Fill, in place, the keys that ``predict.data.<source>`` leaves out and the training data
    does not give either (training on another source) with the schema's defaults of
    ``data.<source>`` (`defaults`: source -> its keys' defaults)."""
    section = config.get("predict")
    if not section or not isinstance(section.get("data"), dict):
        return
    source = section["data"].get("source")
    own = section["data"].get(source)
    if source not in defaults or not isinstance(own, dict):
        return
    trained = (config.get("data") or {}).get(source) or {}
    for key, value in defaults[source].items():
        if key not in own and key not in trained:
            own[key] = copy.deepcopy(value)


def predict_data(config: Mapping[str, Any]) -> dict[str, Any]:
    """``predict.data`` with the keys it leaves out of its source's section taken from the
    training data's section of the same source (the curve names, label curve and code table a
    model was trained with usually hold for the new wells too)."""
    data = copy.deepcopy(dict(config["predict"]["data"]))
    source = data["source"]
    trained = (config.get("data") or {}).get(source)
    if isinstance(trained, Mapping):
        data[source] = {**copy.deepcopy(dict(trained)), **(data.get(source) or {})}
    return data


def predict_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """The run exists; the source is one predict reads; the section of the source is complete."""
    section = config.get("predict")
    if section is None:
        return
    runs = sorted(config["classifiers"]["runs"])
    if section["run"] not in runs:
        yield (
            f"config key predict.run: {section['run']!r} is not one of classifiers.runs "
            f"({format_list(runs)})"
        )
    data = predict_data(config)
    source = data["source"]
    if source not in SOURCES:
        yield (
            f"config key predict.data.source: {source!r} cannot be predicted per borehole yet "
            f"(sources: {format_list(SOURCES)}); export the boreholes as LAS files or a table"
        )
        return
    required = {"las": ("path", "curves", "label_curve"), "table": ("path", "borehole_column",
                "depth_column", "features")}[source]  # fmt: skip
    missing = [key for key in required if key not in (data.get(source) or {})]
    if missing:
        yield (
            f"config key predict.data.{source}: needs {format_list(missing)} (or the same keys "
            f"under data.{source}, which it inherits)"
        )
