"""One new borehole's depth samples, as read from its file: depth, the model's input curves, and
its labels where it has them.

A LAS file is read with the training's LAS reader (`lithoflow.ingest.las.read_las_well`: depth
in metres from the header's unit, curves by mnemonic and aliases, the header's NULL as missing);
a tidy table's rows of one borehole are read as they are. The samples keep their own depths:
predictions are made on the depth bins the model was trained on and handed back at every
sample (`lithoflow.predict.borehole`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.core.errors import InputDataError, format_list
from lithoflow.ingest.las import LasConfig, _code_key, load_label_codes, read_las_well

log = logging.getLogger(__name__)


@dataclass
class Samples:
    """The depth samples of one borehole (in file order)."""

    borehole_id: str
    path: str
    depth_m: np.ndarray  # float64 per sample (NaN where the file has none)
    values: pd.DataFrame  # the model's input features per sample (NaN where missing)
    labels: np.ndarray | None  # label name per sample (None: unlabelled), or None: no labels
    curves_found: dict[str, str | None]  # feature -> the curve it was read from (None: absent)
    depth_unit: str = "m"
    notes: list[str] = field(default_factory=list)

    @property
    def n_samples(self) -> int:
        return len(self.depth_m)

    @property
    def has_labels(self) -> bool:
        return self.labels is not None and any(label is not None for label in self.labels)


def read_las_samples(
    path: str | os.PathLike[str], las: LasConfig, features: Sequence[str]
) -> Samples:
    """The samples of one LAS file, with the model's `features` (a curve the well lacks is all
    missing, noted); labels decoded through the code table when one is configured (a code the
    table lacks is kept as its own text, noted: such labels count as errors, never a crash)."""
    path = str(path)
    unknown = [f for f in features if f not in dict(las.curves)]
    if unknown:
        raise InputDataError(
            f"the model needs the curves {format_list(unknown)}, which predict.data.las.curves "
            f"does not name (it names {format_list(dict(las.curves))})",
            path=path,
        )
    well = read_las_well(path, replace(las, features=tuple(features)))
    values = pd.DataFrame(well.values, columns=list(features))
    found = dict(well.report["curves"])
    notes = []
    absent = [f for f in features if found.get(f) is None]
    if absent:
        notes.append(f"curves absent from the file: {', '.join(absent)}")
    unit = str(well.report.get("depth_unit") or "m")
    if unit.upper() not in ("M", "METER", "METERS", "METRE", "METRES"):
        notes.append(f"depth converted from {unit} to metres")
    labels = None
    if well.report.get("label_curve_found"):
        labels, unknown_codes = decode_labels(well.labels, las.label_codes)
        if unknown_codes:
            notes.append(
                f"label codes not in the code table, kept as text: {', '.join(unknown_codes)}"
            )
    return Samples(
        borehole_id=well.borehole_id,
        path=path,
        depth_m=well.depth_m,
        values=values,
        labels=labels,
        curves_found={f: found.get(f) for f in features},
        depth_unit=unit,
        notes=notes,
    )


def decode_labels(
    raw: np.ndarray, codes: Mapping[str, str] | str | None
) -> tuple[np.ndarray, list[str]]:
    """Label name per sample (None where unlabelled) and the codes the table lacks."""
    table = load_label_codes(codes)
    names = np.full(len(raw), None, dtype=object)
    unknown: set[str] = set()
    for i, value in enumerate(raw):
        if np.isnan(value):
            continue
        key = _code_key(value)
        if table is None:
            names[i] = key
        elif key in table:
            names[i] = table[key]
        else:
            names[i] = key
            unknown.add(key)
    return names, sorted(unknown)


def table_samples(
    frame: pd.DataFrame,
    path: str,
    *,
    borehole_id: str,
    depth_column: str,
    label_column: str | None,
    features: Sequence[str],
) -> Samples:
    """The samples of one borehole's rows of a tidy table (depth in metres)."""
    missing = [c for c in (depth_column, *features) if c not in frame.columns]
    if missing:
        raise InputDataError(
            f"borehole {borehole_id!r}: the table lacks the columns {format_list(missing)} "
            "the model needs",
            path=path,
        )
    labels = None
    if label_column and label_column in frame.columns:
        raw = frame[label_column]
        labels = np.asarray(
            [None if pd.isna(v) or str(v).strip() == "" else str(v).strip() for v in raw],
            dtype=object,
        )
    return Samples(
        borehole_id=borehole_id,
        path=path,
        depth_m=pd.to_numeric(frame[depth_column], errors="coerce").to_numpy(dtype=np.float64),
        values=frame[list(features)].apply(pd.to_numeric, errors="coerce").reset_index(drop=True),
        labels=labels,
        curves_found={f: f for f in features},
    )


def describe(samples: Samples) -> dict[str, Any]:
    """What was read, for the borehole's report."""
    finite = samples.depth_m[np.isfinite(samples.depth_m)]
    return {
        "borehole_id": samples.borehole_id,
        "file": samples.path,
        "samples": samples.n_samples,
        "top_m": float(finite.min()) if finite.size else None,
        "bottom_m": float(finite.max()) if finite.size else None,
        "depth_unit": samples.depth_unit,
        "curves": samples.curves_found,
        "labelled_samples": int(sum(label is not None for label in samples.labels))
        if samples.labels is not None
        else 0,
        "notes": list(samples.notes),
    }
