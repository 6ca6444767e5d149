"""What a classifier run does with missing input values (`missing:` per run).

- ``drop``: rows with any missing input are left out (counted per part, with the boreholes that
  lose every row named), the investigation's behaviour;
- ``impute``: each column's median over the training rows fills its gaps (scikit-learn's
  `SimpleImputer`), optionally with one 0/1 indicator column per column that had gaps in training;
- ``native``: values stay missing; only for models that handle them (gradient boosting);
- ``model``: each curve's gaps predicted from the others by a regressor fitted on training rows
  (`CurveImputer`), with indicator columns; the depth context is built on the filled curves.

The fitted imputer is kept as plain numbers (`to_dict`), so it is saved as JSON, never pickled.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from sklearn.impute import SimpleImputer

log = logging.getLogger(__name__)

POLICIES = ("drop", "impute", "native", "model")


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


@dataclass
class CurveImputer:
    """``missing: model``: each input curve's gaps predicted from the curves present there.

    For every curve a `HistGradientBoostingRegressor` is fitted on the training rows that have
    it, from the other curves as they are (their gaps native to the trees), on the curve's own
    transform (e.g. ln(1+x) of a resistivity, from the run's scaling), at most `max_rows` rows
    drawn with the seed. A curve with too few training values falls back to its training median
    (0 without any). Indicator columns mark where a curve was missing. The regressors are saved
    with skops (`save`), never pickled.
    """

    columns: tuple[str, ...]
    transforms: tuple[str, ...]
    medians: tuple[float, ...]
    indicator_columns: tuple[str, ...]
    models: dict[str, Any] = field(default_factory=dict)

    MIN_ROWS: ClassVar[int] = 50
    FILE: ClassVar[str] = "curve_imputers.skops"

    @classmethod
    def fit(
        cls,
        x_train: np.ndarray,
        columns: Sequence[str],
        transforms: Sequence[str],
        seed: int,
        max_rows: int = 30_000,
    ) -> CurveImputer:
        from sklearn.ensemble import HistGradientBoostingRegressor

        from lithoflow.features.scaling import apply_transform

        x_train = np.asarray(x_train, dtype=np.float64)
        values = (
            np.column_stack([apply_transform(x_train[:, j], t) for j, t in enumerate(transforms)])
            if x_train.size
            else x_train
        )
        rng = np.random.default_rng(seed)
        models: dict[str, Any] = {}
        medians = []
        never_logged = []  # curves without a single training value (their median: 0)
        for j, name in enumerate(columns):
            present = np.flatnonzero(~np.isnan(values[:, j]))
            medians.append(float(np.median(x_train[present, j])) if present.size else 0.0)
            if not present.size:
                never_logged.append(name)
            if present.size < cls.MIN_ROWS or len(columns) < 2:
                continue
            if present.size > max_rows:
                present = np.sort(rng.choice(present, max_rows, replace=False))
            model = HistGradientBoostingRegressor(
                max_iter=100, learning_rate=0.1, max_leaf_nodes=31, min_samples_leaf=50,
                random_state=seed,
            )  # fmt: skip
            predictors = np.delete(values[present], j, axis=1)
            # A curve never logged where this one is (e.g. no training well has both) would be an
            # all-missing input, which scikit-learn's binning cannot take; as a constant it gets
            # no split, so the trees ignore it, in fitting and in filling.
            absent = np.isnan(predictors).all(axis=0)
            if absent.any():
                others = [c for c in columns if c != name]
                log.info(
                    "curve model of %s: %s never present on its %d training rows; not used",
                    name,
                    ", ".join(o for o, a in zip(others, absent, strict=True) if a),
                    present.size,
                )
                predictors[:, absent] = 0.0
            model.fit(predictors, values[present, j])
            models[name] = model
        has_gaps = np.isnan(x_train).any(axis=0)
        flagged = tuple(c for c, gap in zip(columns, has_gaps, strict=True) if gap)
        fallback = [c for c in columns if c not in models]
        if fallback:
            log.warning(
                "too few training values (< %d) to model %s: gaps take the training median "
                "(0 for a curve with no training value: %s)",
                cls.MIN_ROWS,
                ", ".join(fallback),
                ", ".join(never_logged) or "none",
            )
        return cls(tuple(columns), tuple(transforms), tuple(medians), flagged, models)

    @property
    def output_columns(self) -> list[str]:
        """The filled curves, then one ``{curve}_missing`` indicator per flagged curve."""
        return [*self.columns, *(f"{c}_missing" for c in self.indicator_columns)]

    def fill(self, x: np.ndarray) -> np.ndarray:
        """The curves with every gap predicted (from the original values of the others)."""
        from lithoflow.features.scaling import apply_transform, invert_transform

        x = np.asarray(x, dtype=np.float64)
        values = (
            np.column_stack([apply_transform(x[:, j], t) for j, t in enumerate(self.transforms)])
            if x.size
            else x
        )
        out = x.copy()
        for j, name in enumerate(self.columns):
            gaps = np.isnan(x[:, j])
            if not gaps.any():
                continue
            if name in self.models:
                predicted = self.models[name].predict(np.delete(values[gaps], j, axis=1))
                out[gaps, j] = invert_transform(predicted, self.transforms[j])
            else:
                out[gaps, j] = self.medians[j]
        return out

    def indicators(self, x: np.ndarray) -> np.ndarray:
        """0/1 per flagged curve: missing in the original values."""
        where = [self.columns.index(c) for c in self.indicator_columns]
        return np.isnan(np.asarray(x, dtype=np.float64)[:, where]).astype(np.float64)

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": list(self.columns),
            "transforms": list(self.transforms),
            "medians": list(self.medians),
            "indicator_columns": list(self.indicator_columns),
            "modelled": sorted(self.models),
            "file": self.FILE,
        }

    def save(self, folder: str | os.PathLike[str]) -> None:
        """Write the regressors (skops, no pickle) into `folder`."""
        from lithoflow.core.skops_io import save_skops

        save_skops(Path(folder) / self.FILE, dict(sorted(self.models.items())))

    @classmethod
    def load(cls, payload: Mapping[str, Any], folder: str | os.PathLike[str]) -> CurveImputer:
        from lithoflow.core.skops_io import load_skops

        models = load_skops(Path(folder) / payload["file"]) if payload["modelled"] else {}
        return cls(
            tuple(payload["columns"]),
            tuple(payload["transforms"]),
            tuple(float(m) for m in payload["medians"]),
            tuple(payload["indicator_columns"]),
            dict(models),
        )
