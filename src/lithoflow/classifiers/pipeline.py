"""A classifier run's whole input chain: from a borehole table to the model and back to depths.

`InputChain` holds everything between the curves of a borehole and its predicted classes: the
input columns (the dataset's features, or a VAE's μ columns) and their units, the depth context
set built from them, the missing-value policy with its fitted medians, the per-column transforms
and the fitted scaler, the range each input took in training, the smoothing along depth, and the
classes. It is saved as JSON next to the run's weights (`pipeline.json`, versioned; no pickle)
and applied by the same functions in training, evaluation and prediction:

- `context_inputs`: the depth context of a table (`lithoflow.features.context`; the depth_context
  rule computes it with the same function, once per source, for every run that uses it);
- `InputChain.transform`: raw inputs (features then context columns) to the model's inputs;
- `InputChain.smoothed_probabilities`: the model's class probabilities, smoothed along depth
  within each borehole as configured; their argmax is the predicted class (`predict_classes`).

So what a run evaluates is exactly what is applied to new boreholes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch

from lithoflow.classifiers.interface import ClassifierKind
from lithoflow.core.dataset import DEPTH_COLUMN
from lithoflow.core.errors import InputDataError, format_list
from lithoflow.core.io import read_json, write_json
from lithoflow.features.context import ContextConfig, context_table
from lithoflow.features.missing import CurveImputer, MedianImputer, complete_rows
from lithoflow.features.scaling import Scaler
from lithoflow.features.smoothing import (
    SmoothingConfig,
    predicted_classes,
    smoothed_probabilities,
)

PIPELINE_FILE = "pipeline.json"
PIPELINE_FORMAT = "lithoflow.input_chain"
PIPELINE_FORMAT_VERSION = 1


@dataclass(frozen=True)
class InputChain:
    """A fitted classifier's input chain (see the module docstring)."""

    source: str  # "raw" (the dataset's features) or "embedding" (a VAE's μ)
    vae: str | None  # the VAE whose μ the run reads (embedding source)
    features: tuple[str, ...]  # the input columns the context is built from, in order
    context: ContextConfig | None
    context_columns: tuple[str, ...]
    transforms: tuple[str, ...]  # per raw input column (features, then context columns)
    missing: str  # drop | impute | native
    imputer: MedianImputer | None
    scaler: Scaler  # identity where the model takes its inputs unscaled
    smoothing: SmoothingConfig | None
    classes: tuple[str, ...]
    # Training range (min, max) of each input feature, and its unit where the data say it.
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    # ``missing: model``: the curves' gaps predicted first, the depth context built on them.
    curve_imputer: CurveImputer | None = None

    @property
    def raw_columns(self) -> tuple[str, ...]:
        """The raw input columns: the features, then their depth context columns."""
        return (*self.features, *self.context_columns)

    @property
    def model_columns(self) -> tuple[str, ...]:
        """The model's input columns (raw columns, plus missing-value indicators if any)."""
        return self.scaler.features

    def transform(self, x_raw: np.ndarray, keys: pd.DataFrame | None = None) -> np.ndarray:
        """Raw inputs (rows × raw columns) to model inputs: gaps filled (impute, or a model of
        each curve), then scaled.

        Rows with gaps under ``missing: drop`` must have been left out (`complete_rows`); under
        ``native`` the gaps stay for the model. Under ``missing: model`` the depth context is
        built again on the filled curves, along the boreholes of `keys` (the rows' borehole_id
        and depth_bin_m, needed then).
        """
        values = np.asarray(x_raw, dtype=np.float64)
        if self.curve_imputer is not None:
            values = self.filled_inputs(values, keys)
        if self.imputer is not None:
            values = self.imputer.transform(values)
        return values if self.scaler.is_identity else self.scaler.transform(values)

    def filled_inputs(self, values: np.ndarray, keys: pd.DataFrame | None) -> np.ndarray:
        """``missing: model``: the curves filled, their depth context, the indicators."""
        if self.curve_imputer is None:
            raise RuntimeError("the chain has no curve imputer")
        original = values[:, : len(self.features)]
        filled = self.curve_imputer.fill(original)
        parts = [filled]
        if self.context is not None:
            if keys is None:
                raise ValueError("missing: model rebuilds the depth context: give the rows' keys")
            frame = keys[["borehole_id", DEPTH_COLUMN]].reset_index(drop=True)
            frame = pd.concat([frame, pd.DataFrame(filled, columns=list(self.features))], axis=1)
            context, _ = context_inputs(frame, self.features, self.context)
            parts.append(context)
        parts.append(self.curve_imputer.indicators(original))
        return np.hstack(parts)

    def smoothed_probabilities(
        self,
        kind: ClassifierKind,
        x_model: np.ndarray,
        keys: pd.DataFrame,
        device: torch.device,
    ) -> np.ndarray:
        """Class probabilities of each row, smoothed along depth within each borehole as the run
        configures (`keys`: borehole_id and depth of each row)."""
        proba = kind.predict_proba(x_model, device)
        if self.smoothing is None or proba.shape[0] == 0:
            return proba
        return smoothed_probabilities(
            keys["borehole_id"].to_numpy(),
            keys[DEPTH_COLUMN].to_numpy(),
            proba,
            self.smoothing,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": PIPELINE_FORMAT,
            "format_version": PIPELINE_FORMAT_VERSION,
            "source": self.source,
            "vae": self.vae,
            "features": list(self.features),
            "units": dict(self.units),
            "context": None if self.context is None else context_payload(self.context),
            "context_columns": list(self.context_columns),
            "transforms": list(self.transforms),
            "missing": self.missing,
            "imputer": None if self.imputer is None else self.imputer.to_dict(),
            "scaler": self.scaler.to_dict(),
            "smoothing": None if self.smoothing is None else asdict(self.smoothing),
            "classes": list(self.classes),
            "ranges": {name: list(bounds) for name, bounds in self.ranges.items()},
            "curve_imputer": None if self.curve_imputer is None else self.curve_imputer.to_dict(),
        }

    @classmethod
    def from_dict(
        cls, payload: Mapping[str, Any], path: str = "<memory>", folder: str | None = None
    ) -> InputChain:
        if payload.get("format") != PIPELINE_FORMAT:
            raise InputDataError("not a lithoflow input chain (pipeline.json)", path=path)
        if payload.get("format_version") != PIPELINE_FORMAT_VERSION:
            raise InputDataError(
                f"input chain format version {payload.get('format_version')} is not "
                f"{PIPELINE_FORMAT_VERSION}: retrain the run with this version of lithoflow",
                path=path,
            )
        context = payload["context"]
        smoothing = payload["smoothing"]
        return cls(
            source=str(payload["source"]),
            vae=payload["vae"],
            features=tuple(payload["features"]),
            context=None if context is None else ContextConfig.from_config(context),
            context_columns=tuple(payload["context_columns"]),
            transforms=tuple(payload["transforms"]),
            missing=str(payload["missing"]),
            imputer=None
            if payload["imputer"] is None
            else MedianImputer.from_dict(payload["imputer"]),
            scaler=Scaler.from_dict(payload["scaler"]),
            smoothing=None if smoothing is None else SmoothingConfig.from_config(smoothing),
            classes=tuple(payload["classes"]),
            ranges={k: (float(lo), float(hi)) for k, (lo, hi) in payload["ranges"].items()},
            units=dict(payload.get("units") or {}),
            curve_imputer=None
            if not payload.get("curve_imputer")
            else CurveImputer.load(payload["curve_imputer"], folder or os.path.dirname(path)),
        )


def context_payload(context: ContextConfig) -> dict[str, Any]:
    """A context set as its config entry (what `ContextConfig.from_config` reads back)."""
    payload = asdict(context)
    payload["windows_m"] = list(context.windows_m)
    payload["borehole_normalised"] = list(context.borehole_normalised)
    if context.columns is None:
        del payload["columns"]
    else:
        payload["columns"] = list(context.columns)
    return payload


def context_inputs(
    frame: pd.DataFrame, features: Sequence[str], context: ContextConfig
) -> tuple[np.ndarray, list[str]]:
    """The depth context columns of `frame`'s rows (in its order) and their names, built from
    `features` (or the context set's own columns) exactly as the depth_context rule builds them."""
    columns = context.select_columns(list(features), "the input table")
    table = context_table(frame, columns, context)
    names = [c for c in table.columns if c not in ("borehole_id", DEPTH_COLUMN)]
    return table[names].to_numpy(dtype=np.float64), names


def fit_chain(
    *,
    source: str,
    vae: str | None,
    features: Sequence[str],
    context: ContextConfig | None,
    context_columns: Sequence[str],
    transforms: Sequence[str],
    missing: str,
    indicators: bool,
    scale: bool,
    scaler_rows: np.ndarray,
    train_rows: np.ndarray,
    smoothing: SmoothingConfig | None,
    classes: Sequence[str],
    units: Mapping[str, str] | None = None,
    seed: int = 0,
    train_keys: pd.DataFrame | None = None,
    scaler_keys: pd.DataFrame | None = None,
) -> InputChain:
    """The chain fitted on training rows: medians (impute) on `train_rows`, the scaler on
    `scaler_rows` (the training rows, or every row for ``scaler_fit: all``), ranges of the
    features on the training rows. Both arrays hold raw inputs (rows × raw columns)."""
    names = [*features, *context_columns]
    transforms = list(transforms)
    imputer = None
    fit_values = scaler_rows
    curve_imputer = None
    if missing == "model":
        n = len(features)
        curve_imputer = CurveImputer.fit(train_rows[:, :n], features, transforms[:n], seed)
        filler = InputChain(
            source=source, vae=vae, features=tuple(features), context=context,
            context_columns=tuple(context_columns), transforms=tuple(transforms),
            missing=missing, imputer=None, scaler=Scaler.identity(names), smoothing=smoothing,
            classes=tuple(classes), curve_imputer=curve_imputer,
        )  # fmt: skip
        fit_values = filler.filled_inputs(scaler_rows, scaler_keys)
        names = [*features, *context_columns, *curve_imputer.output_columns[n:]]
        transforms = [*transforms, *["identity"] * (len(names) - len(transforms))]
    if missing == "impute":
        imputer = MedianImputer.fit(train_rows, names, indicators)
        fit_values = imputer.transform(scaler_rows)
        names = imputer.output_columns
        transforms = [*transforms, *["identity"] * (len(names) - len(transforms))]
    scaler = Scaler.fit(fit_values, names, transforms) if scale else Scaler.identity(names)
    return InputChain(
        source=source,
        vae=vae,
        features=tuple(features),
        context=context,
        context_columns=tuple(context_columns),
        transforms=tuple(transforms[: len(features) + len(context_columns)]),
        missing=missing,
        imputer=imputer,
        scaler=scaler,
        smoothing=smoothing,
        classes=tuple(classes),
        ranges=training_ranges(train_rows[:, : len(features)], features),
        units=dict(units or {}),
        curve_imputer=curve_imputer,
    )


def training_ranges(values: np.ndarray, features: Sequence[str]) -> dict[str, tuple[float, float]]:
    """(min, max) of each feature over the rows that have it (features with no value: none)."""
    ranges = {}
    for j, name in enumerate(features):
        column = values[:, j]
        present = column[~np.isnan(column)]
        if present.size:
            ranges[name] = (float(present.min()), float(present.max()))
    return ranges


def save_chain(path: str | os.PathLike[str], chain: InputChain) -> None:
    """Write `pipeline.json` atomically (and the curve imputer's regressors beside it)."""
    if chain.curve_imputer is not None:
        chain.curve_imputer.save(os.path.dirname(os.fspath(path)) or ".")
    write_json(path, chain.to_dict())


def load_chain(path: str | os.PathLike[str]) -> InputChain:
    """Read a chain written by `save_chain`."""
    return InputChain.from_dict(read_json(path), str(path))


def check_columns(frame: pd.DataFrame, columns: Sequence[str], where: str) -> None:
    """InputDataError naming the columns `frame` lacks (the chain's input features)."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"{where} lacks the model's input columns {format_list(missing)} "
            f"(it has {format_list(frame.columns)})"
        )


@dataclass
class ChainOutput:
    """What the chain gives for every row of a table: smoothed class probabilities (NaN rows
    where the model could not be applied) and which rows those are."""

    probabilities: np.ndarray  # rows × classes
    applied: np.ndarray  # bool per row: the model saw it (False: an input it needs is missing)

    @property
    def predicted(self) -> np.ndarray:
        """Class index per applied row (-1 where not applied)."""
        out = np.full(self.probabilities.shape[0], -1, dtype=np.int64)
        out[self.applied] = predicted_classes(self.probabilities[self.applied])
        return out


def apply_chain(
    chain: InputChain,
    kind: ClassifierKind,
    frame: pd.DataFrame,
    device: torch.device,
    raw: np.ndarray | None = None,
) -> ChainOutput:
    """The chain applied to a table of boreholes (``borehole_id``, ``depth_bin_m`` and the
    chain's input features): depth context built along each borehole, gaps handled by the run's
    missing-value policy (``drop``: rows lacking an input are not applied), inputs transformed,
    class probabilities predicted and smoothed along depth. `raw` may give the raw inputs already
    built by `raw_inputs` (training joins the depth_context rule's table instead)."""
    if raw is None:
        raw = raw_inputs(chain, frame)
    applied = np.ones(len(frame), dtype=bool)
    if chain.missing == "drop":
        applied = complete_rows(raw)
    probabilities = np.full((len(frame), len(chain.classes)), np.nan)
    keys = frame.loc[applied, ["borehole_id", DEPTH_COLUMN]]
    x_model = chain.transform(raw[applied], keys)
    probabilities[applied] = chain.smoothed_probabilities(kind, x_model, keys, device)
    return ChainOutput(probabilities=probabilities, applied=applied)


def raw_inputs(chain: InputChain, frame: pd.DataFrame) -> np.ndarray:
    """The chain's raw inputs of every row of `frame`: its features, then their depth context
    (built along each borehole of `frame` with the run's context set)."""
    check_columns(frame, [*chain.features, "borehole_id", DEPTH_COLUMN], "the table")
    x = frame[list(chain.features)].to_numpy(dtype=np.float64)
    if chain.context is None:
        return x
    context, names = context_inputs(frame, chain.features, chain.context)
    if tuple(names) != chain.context_columns:
        raise InputDataError(
            f"the depth context built here has columns {format_list(names)}, the model was "
            f"trained on {format_list(chain.context_columns)}"
        )
    return np.hstack((x, context))
