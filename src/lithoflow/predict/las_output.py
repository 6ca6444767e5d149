"""A predicted borehole written back to LAS: the original file with the lithology log added.

The original ~Version, ~Well, ~Parameter and ~Curve sections and every original curve stay as
they were (values written with enough digits to read back as the same numbers, the header's NULL
for gaps); added are a lithology curve (the code table's codes when the run's data had one, else
class indices, with the index -> lithology mapping in the ~Parameter section), one probability
curve per class, the top probability and the entropy. lasio reads the file back with the original
depth samples and curves.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Mapping, Sequence

import lasio
import numpy as np
import pandas as pd

from lithoflow.core.errors import InputDataError
from lithoflow.core.io import atomic_path
from lithoflow.ingest.las import _parse_las, read_las_text
from lithoflow.predict.borehole import probability_column

LITHOLOGY_CURVE = "LITH_PRED"
TOP_CURVE = "LITH_PMAX"
ENTROPY_CURVE = "LITH_ENTROPY"
# Enough significant digits that every float64 reads back as itself.
VALUE_FORMAT = "%.17g"


def class_mnemonic(name: str, taken: set[str]) -> str:
    """A LAS mnemonic for a class's probability curve (letters, digits, underscores; unique)."""
    base = "P_" + (re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper() or "CLASS")
    mnemonic, n = base, 1
    while mnemonic in taken:
        n += 1
        mnemonic = f"{base}_{n}"
    taken.add(mnemonic)
    return mnemonic


def write_prediction_las(
    original: str | os.PathLike[str],
    table: pd.DataFrame,
    classes: Sequence[str],
    codes: Mapping[str, str] | None,
    path: str | os.PathLike[str],
    run: str,
    which: str,
) -> None:
    """Write `original` with the predicted curves of `table` (one row per data row) to `path`."""
    las = _parse_las(read_las_text(original), str(original))
    n_rows = np.asarray(las.data).shape[0]
    if n_rows != len(table):
        raise InputDataError(
            f"the prediction has {len(table)} rows for {n_rows} data rows", path=str(original)
        )
    taken = {curve.mnemonic.upper() for curve in las.curves}
    names = np.asarray(list(classes), dtype=object)
    applied = table["applied"].to_numpy()
    if codes:
        lithology = np.array(
            [float(c) if c is not None else np.nan for c in table["predicted_code"]], dtype=float
        )
        described = "predicted lithology (code of the label code table)"
    else:
        position = {name: float(i) for i, name in enumerate(names)}
        lithology = np.array(
            [position[p] if p is not None else np.nan for p in table["predicted"]], dtype=float
        )
        described = "predicted lithology (class index; LITH_<i> parameters name them)"
        for i, name in enumerate(names):
            las.params.append(
                lasio.HeaderItem(
                    mnemonic=f"LITH_{i}", value=str(name), descr="class index -> lithology"
                )
            )
    las.params.append(
        lasio.HeaderItem(mnemonic="LITH_RUN", value=run, descr="lithoflow classifier run")
    )
    las.params.append(
        lasio.HeaderItem(mnemonic="LITH_MODEL", value=which, descr="final or evaluated model")
    )
    lithology[~applied] = np.nan
    las.append_curve(LITHOLOGY_CURVE, lithology, unit="", descr=described)
    taken.add(LITHOLOGY_CURVE)
    for name in names:
        mnemonic = class_mnemonic(str(name), taken)
        values = table[probability_column(str(name))].to_numpy(dtype=float)
        las.append_curve(mnemonic, values, unit="", descr=f"probability of {name}")
    las.append_curve(
        TOP_CURVE, table["top_probability"].to_numpy(dtype=float), descr="top class probability"
    )
    las.append_curve(
        ENTROPY_CURVE,
        table["entropy"].to_numpy(dtype=float),
        descr="entropy of the probabilities (nats)",
    )
    buffer = io.StringIO()
    las.write(buffer, version=2.0, wrap=False, fmt=VALUE_FORMAT)
    with atomic_path(path) as tmp:
        tmp.write_text(buffer.getvalue())
