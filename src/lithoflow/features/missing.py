"""What a classifier run does with missing input values (`missing:` per run).

- ``drop``: rows with any missing input are left out (counted per part, with the boreholes that
  lose every row named), the investigation's behaviour;
- ``impute``: each column's median over the training rows fills its gaps (scikit-learn's
  `SimpleImputer`), optionally with one 0/1 indicator column per column that had gaps in training;
- ``native``: values stay missing; only for models that handle them (gradient boosting).

The fitted imputer is kept as plain numbers (`to_dict`), so it is saved as JSON, never pickled.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.impute import SimpleImputer

log = logging.getLogger(__name__)

POLICIES = ("drop", "impute", "native")


@dataclass(frozen=True)
class MedianImputer:
    """Training medians of each input column, and which columns get a missing-value indicator."""

    columns: tuple[str, ...]
    medians: tuple[float, ...]
    indicator_columns: tuple[str, ...]

    @classmethod
    def fit(cls, x_train: np.ndarray, columns: Sequence[str], indicators: bool) -> MedianImputer:
        """Medians over the training rows; a column with no training value gets 0 (logged)."""
        imputer = SimpleImputer(strategy="median", keep_empty_features=True)
        imputer.fit(np.asarray(x_train, dtype=np.float64))
        empty = [c for c, ok in zip(columns, ~np.isnan(x_train).all(axis=0), strict=True) if not ok]
        if empty:
            log.warning("no training value in %s: their gaps are filled with 0", ", ".join(empty))
        flagged: tuple[str, ...] = ()
        if indicators:
            has_gaps = np.isnan(x_train).any(axis=0)
            flagged = tuple(c for c, gap in zip(columns, has_gaps, strict=True) if gap)
        return cls(tuple(columns), tuple(float(m) for m in imputer.statistics_), flagged)

    @property
    def output_columns(self) -> list[str]:
        """Input columns, then one ``{column}_missing`` indicator per flagged column."""
        return [*self.columns, *(f"{c}_missing" for c in self.indicator_columns)]

    def transform(self, x: np.ndarray) -> np.ndarray:
        """`x` with gaps filled by the medians, plus the indicator columns."""
        x = np.asarray(x, dtype=np.float64)
        gaps = np.isnan(x)
        filled = np.where(gaps, np.asarray(self.medians)[None, :], x)
        if not self.indicator_columns:
            return filled
        where = [self.columns.index(c) for c in self.indicator_columns]
        return np.hstack((filled, gaps[:, where].astype(np.float64)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "medians": list(self.medians),
            "indicator_columns": list(self.indicator_columns),
        }

    @classmethod
    def from_dict(cls, payload: Mapping[str, Any]) -> MedianImputer:
        return cls(
            tuple(payload["columns"]),
            tuple(float(m) for m in payload["medians"]),
            tuple(payload["indicator_columns"]),
        )


def complete_rows(x: np.ndarray) -> np.ndarray:
    """Boolean mask of the rows without any missing value."""
    return ~np.isnan(np.asarray(x, dtype=np.float64)).any(axis=1)
