"""A predict table (one tidy CSV or Parquet file of many boreholes) split into its boreholes.

The workflow lists the table's boreholes when it starts (one prediction job each), so this module
needs only pandas: it is imported on every workflow start.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from lithoflow.core.errors import InputDataError
from lithoflow.core.io import write_parquet

log = logging.getLogger(__name__)


def table_boreholes(table: Mapping[str, Any]) -> list[str]:
    """The boreholes of a predict table (its borehole column only is read), sorted; ids must be
    usable as file names."""
    path, column = str(table["path"]), str(table["borehole_column"])
    if not Path(path).is_file():
        raise InputDataError("predict table not found (predict.data.table.path)", path=path)
    if path.endswith(".parquet"):
        values = pd.read_parquet(path, columns=[column])[column]
    else:
        values = pd.read_csv(path, usecols=[column], dtype=str)[column]
    names = sorted({str(v).strip() for v in values.dropna() if str(v).strip()})
    bad = [n for n in names if not re.fullmatch(r"[A-Za-z0-9_.-]+", n)]
    if bad:
        raise InputDataError(
            f"borehole ids must be letters, digits, '_', '.' or '-' to name files: {bad[:5]}",
            path=path,
            column=column,
        )
    return names


def split_table(table: Mapping[str, Any], outputs: Mapping[str, str]) -> None:
    """Write each borehole's rows of the predict table to its own Parquet file (`outputs`:
    borehole -> path)."""
    path, column = str(table["path"]), str(table["borehole_column"])
    frame = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
    ids = frame[column].astype(str).str.strip()
    for borehole, target in outputs.items():
        write_parquet(target, frame[ids == borehole].reset_index(drop=True))
    log.info("predict table %s: %d rows of %d boreholes", path, len(frame), len(outputs))
