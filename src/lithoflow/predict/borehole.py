"""One new borehole's lithology log: the model applied to its depth bins, handed back at every
depth sample with the probability of each class, the top probability, the entropy and flags.

The samples are binned as the training data were (`ingest.bin_size_m`; the mean of the values
present in each bin), the applied model's input chain builds the depth context along the
borehole, handles its gaps by the run's missing-value policy, transforms, predicts and smooths;
every sample then takes its bin's probabilities. A sample is flagged when an input the model
uses is missing there, when an input lies outside the range it took in training, or when the
model could not be applied (``missing: drop`` and a gap). Labels, where the file has them, stand
beside the prediction (``true``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch

from lithoflow.core.dataset import DEPTH_COLUMN
from lithoflow.ingest.binning import bin_index, centres_from_index, group_means, group_rows
from lithoflow.ingest.config import RangeFilter
from lithoflow.predict.model import AppliedModel
from lithoflow.predict.samples import Samples, describe

log = logging.getLogger(__name__)

PROBABILITY_PREFIX = "prob_"
MISSING_PREFIX = "missing_"
OUTSIDE_PREFIX = "outside_"


@dataclass
class BoreholePrediction:
    """The per-sample table and the borehole's report."""

    table: pd.DataFrame
    report: dict[str, Any] = field(default_factory=dict)


def probability_column(name: str) -> str:
    """The table column of a class's probability."""
    return f"{PROBABILITY_PREFIX}{name}"


def sample_bins(
    samples: Samples, bin_size_m: float, filters: Sequence[RangeFilter] = ()
) -> tuple[pd.DataFrame, np.ndarray]:
    """The borehole's depth bins (borehole_id, depth_bin_m and the mean of each input over the
    samples in the bin) and each sample's bin row (-1 where the sample is not binned).

    As in ingestion, a sample without depth or without any input value is not binned, and a bin
    outside the ingest range filters (`ingest.filters`; a missing value passes) is left out, so
    the bins are those the model was trained on and the depth context sees the same log.
    """
    values_all = samples.values.to_numpy(dtype=np.float64)
    valid = np.isfinite(samples.depth_m) & ~np.isnan(values_all).all(axis=1)
    index = bin_index(samples.depth_m[valid], bin_size_m)
    groups = group_rows(np.zeros(len(index), dtype=np.int64), index)
    values = values_all[valid]
    frame = pd.DataFrame(group_means(groups, values), columns=list(samples.values.columns))
    frame.insert(0, DEPTH_COLUMN, centres_from_index(groups.bin_index, bin_size_m))
    frame.insert(0, "borehole_id", samples.borehole_id)
    keep = np.ones(len(frame), dtype=bool)
    for rule in filters:
        if rule.feature in frame.columns:
            column = frame[rule.feature]
            keep &= (column.isna() | column.between(rule.minimum, rule.maximum)).to_numpy()
    new_index = np.cumsum(keep) - 1
    sample_bin = np.full(samples.n_samples, -1, dtype=np.int64)
    sample_bin[valid] = np.where(keep[groups.row_group], new_index[groups.row_group], -1)
    return frame[keep].reset_index(drop=True), sample_bin


def entropy(probabilities: np.ndarray) -> np.ndarray:
    """Shannon entropy (nats) of each row's class probabilities (NaN rows stay NaN)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(probabilities > 0, probabilities * np.log(probabilities), 0.0)
    out = -terms.sum(axis=1)
    out[np.isnan(probabilities).any(axis=1)] = np.nan
    return out


def predict_borehole(
    samples: Samples,
    model: AppliedModel,
    bin_size_m: float,
    device: torch.device,
    codes: dict[str, str] | None = None,
    filters: Sequence[RangeFilter] = (),
) -> BoreholePrediction:
    """The lithology log of one borehole at its own depth samples (see the module docstring).

    `codes` maps class names back to the code table's codes (the LAS label codes), when the
    run's data had one.
    """
    chain = model.chain
    classes = list(model.classes)
    names = np.asarray(classes, dtype=object)
    report = describe(samples)
    report.update({"run": model.run, "model": model.which, "classes": classes})
    table = pd.DataFrame({"borehole_id": samples.borehole_id, "depth_m": samples.depth_m})
    if samples.depth_unit.upper() not in ("M", "METER", "METERS", "METRE", "METRES"):
        factor = _unit_factor(samples)
        table[f"depth_{_safe(samples.depth_unit)}"] = samples.depth_m / factor
    probabilities = np.full((samples.n_samples, len(classes)), np.nan)
    applied = np.zeros(samples.n_samples, dtype=bool)
    if samples.n_samples and np.isfinite(samples.depth_m).any():
        # a sample the bins leave out is not classified (flagged)
        bins, sample_bin = sample_bins(samples, bin_size_m, filters)
        if len(bins):
            output = model.apply(bins, device)
            has_bin = sample_bin >= 0
            probabilities[has_bin] = output.probabilities[sample_bin[has_bin]]
            applied[has_bin] = output.applied[sample_bin[has_bin]]
        report["bins"] = len(bins)
    else:
        report["bins"] = 0
        report["empty"] = True
        log.warning("%s: no depth samples; nothing to classify", samples.borehole_id)
    predicted = np.full(samples.n_samples, None, dtype=object)
    index = np.where(applied, np.nan_to_num(probabilities, nan=-1.0).argmax(axis=1), -1)
    predicted[applied] = names[index[applied]]
    table["predicted"] = predicted
    if codes:
        table["predicted_code"] = [codes.get(p) if p is not None else None for p in predicted]
    for j, name in enumerate(classes):
        table[probability_column(name)] = probabilities[:, j]
    table["top_probability"] = np.where(
        applied, np.nanmax(_safe_rows(probabilities), axis=1), np.nan
    )
    table["entropy"] = entropy(probabilities)
    table["applied"] = applied
    flags = _flags(samples, chain.ranges)
    table["flagged"] = ~applied | flags.any(axis=1).to_numpy()
    for column in flags.columns:
        table[column] = flags[column].to_numpy()
    if samples.labels is not None:
        table["true"] = samples.labels
    table["model"] = model.which
    report.update(_borehole_summary(table, classes))
    return BoreholePrediction(table=table, report=report)


def _safe_rows(probabilities: np.ndarray) -> np.ndarray:
    """NaN rows as zeros, so a row-wise max of a fully missing row is 0 (masked afterwards)."""
    return np.nan_to_num(probabilities, nan=0.0)


def _unit_factor(samples: Samples) -> float:
    from lithoflow.ingest.las import DEPTH_UNITS_M

    return DEPTH_UNITS_M.get(samples.depth_unit.upper(), 1.0)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower() or "unit"


def _flags(samples: Samples, ranges: dict[str, tuple[float, float]]) -> pd.DataFrame:
    """Per sample and input: missing there, or outside the range it took in training."""
    flags = {}
    for name in samples.values.columns:
        values = samples.values[name].to_numpy(dtype=np.float64)
        flags[f"{MISSING_PREFIX}{name}"] = np.isnan(values)
        low, high = ranges.get(name, (-np.inf, np.inf))
        with np.errstate(invalid="ignore"):
            flags[f"{OUTSIDE_PREFIX}{name}"] = (values < low) | (values > high)
    return pd.DataFrame(flags)


def _borehole_summary(table: pd.DataFrame, classes: list[str]) -> dict[str, Any]:
    """Counts for the report and the summary: samples applied and flagged, predicted shares,
    labelled samples and labels the model never saw."""
    n = len(table)
    applied = table["applied"].to_numpy()
    shares = table.loc[applied, "predicted"].value_counts(normalize=True)
    summary: dict[str, Any] = {
        "samples_applied": int(applied.sum()),
        "samples_flagged": int(table["flagged"].sum()),
        "flagged_share": float(table["flagged"].mean()) if n else float("nan"),
        "class_shares": {name: float(shares.get(name, 0.0)) for name in classes},
        "flags": {
            column: int(table[column].sum())
            for column in table.columns
            if column.startswith((MISSING_PREFIX, OUTSIDE_PREFIX))
        },
    }
    if "true" in table.columns:
        labelled = table["true"].notna().to_numpy()
        unseen = sorted(set(table.loc[labelled, "true"]) - set(classes))
        summary["labelled_samples"] = int(labelled.sum())
        summary["labels_unseen_in_training"] = {
            label: int((table["true"] == label).sum()) for label in unseen
        }
        if unseen:
            log.warning(
                "labels the model never saw (scored as errors): %s",
                ", ".join(f"{k} ({v})" for k, v in summary["labels_unseen_in_training"].items()),
            )
    return summary
