"""Distribution-aware scaling: a per-feature transform, then standardisation (docs/investigation.md
§2).

Each feature gets a transform (`identity`, `signed_log1p` = sign(x)·ln(1+|x|), or
`log1p` = ln(1+x)), then every column is standardised with its mean and population standard
deviation. The fitted scaler is stored as JSON (never pickled). Which rows it is fitted on (train
or all) is the caller's choice.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lithoflow.core.config import feature_key_problems, feature_names
from lithoflow.core.errors import ConfigError, InputDataError, format_list
from lithoflow.core.io import read_json, write_json
from lithoflow.core.typed import build

log = logging.getLogger(__name__)

TRANSFORMS: tuple[str, ...] = ("identity", "signed_log1p", "log1p")
SCALER_FORMAT = "lithoflow.scaler"
SCALER_FORMAT_VERSION = 1


def apply_transform(values: np.ndarray, transform: str) -> np.ndarray:
    """The per-feature transform applied to one column of values (float64)."""
    values = np.asarray(values, dtype=np.float64)
    if transform == "identity":
        return values.copy()
    if transform == "signed_log1p":
        return np.sign(values) * np.log1p(np.abs(values))
    if transform == "log1p":
        return np.log1p(values)
    raise ConfigError(f"unknown scaling transform {transform!r}; expected one of {TRANSFORMS}")


def invert_transform(values: np.ndarray, transform: str) -> np.ndarray:
    """The inverse of `apply_transform` for one column (float64)."""
    values = np.asarray(values, dtype=np.float64)
    if transform == "identity":
        return values.copy()
    if transform == "signed_log1p":
        return np.sign(values) * np.expm1(np.abs(values))
    if transform == "log1p":
        return np.expm1(values)
    raise ConfigError(f"unknown scaling transform {transform!r}; expected one of {TRANSFORMS}")


@dataclass(frozen=True)
class ScalingConfig:
    """The `scaling` config section: a transform per feature, and one for features not listed."""

    default_transform: str
    transforms: Mapping[str, str]

    @classmethod
    def from_config(cls, scaling: Mapping[str, Any]) -> ScalingConfig:
        """Build from the validated `scaling` config section."""
        config = build(cls, scaling, "scaling")
        for name in (config.default_transform, *config.transforms.values()):
            if name not in TRANSFORMS:
                raise ConfigError(f"config key scaling: unknown transform {name!r}")
        return config

    @classmethod
    def of_run(cls, scaling: Mapping[str, Any] | None) -> ScalingConfig:
        """A classifier run's scaling: the config section, or none for a run given an empty one
        (embedding runs use μ as it is)."""
        return cls.from_config(scaling) if scaling else cls.unscaled()

    @classmethod
    def unscaled(cls) -> ScalingConfig:
        """Every input as it is (a VAE's μ, which its VAE has already put on one scale)."""
        return cls(default_transform="identity", transforms={})

    def transforms_for(self, features: Sequence[str]) -> tuple[str, ...]:
        """The transform of each feature, in order."""
        return tuple(self.transforms.get(name, self.default_transform) for name in features)


def _check_matrix(values: np.ndarray, features: Sequence[str]) -> np.ndarray:
    matrix = np.asarray(values, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != len(features):
        raise InputDataError(
            f"expected a (rows, {len(features)}) array for features {format_list(features)}, "
            f"got shape {matrix.shape}"
        )
    return matrix


@dataclass(frozen=True)
class Scaler:
    """A fitted per-feature transform plus standardisation; maps raw values to model space."""

    features: tuple[str, ...]
    transforms: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    n_samples: int

    @classmethod
    def fit(cls, values: np.ndarray, features: Sequence[str], transforms: Sequence[str]) -> Scaler:
        """Fit on `values` (rows × features): transform, then mean and population std per column.

        A column with zero spread gets scale 1 (as scikit-learn's StandardScaler does).
        """
        features = tuple(features)
        transforms = tuple(transforms)
        if len(transforms) != len(features):
            raise ConfigError("one transform per feature is required")
        matrix = _check_matrix(values, features)
        if matrix.shape[0] == 0:
            raise InputDataError("cannot fit a scaler on zero rows")
        transformed = cls._forward(matrix, features, transforms)
        mean = transformed.mean(axis=0)
        std = transformed.std(axis=0, ddof=0)
        flat = [name for name, s in zip(features, std, strict=True) if not s > 0]
        if flat:
            log.warning("features with zero spread get scale 1: %s", format_list(flat))
        scale = np.where(std > 0, std, 1.0)
        return cls(
            features=features,
            transforms=transforms,
            mean=tuple(float(v) for v in mean),
            scale=tuple(float(v) for v in scale),
            n_samples=int(matrix.shape[0]),
        )

    @classmethod
    def identity(cls, features: Sequence[str]) -> Scaler:
        """A scaler that leaves values unchanged (used where inputs are already in model space)."""
        features = tuple(features)
        n = len(features)
        return cls(features, ("identity",) * n, (0.0,) * n, (1.0,) * n, 0)

    @property
    def is_identity(self) -> bool:
        """Whether it leaves values unchanged (`identity`): then it is not applied at all, so
        missing values pass to models that take them."""
        return (
            all(t == "identity" for t in self.transforms)
            and all(m == 0.0 for m in self.mean)
            and all(s == 1.0 for s in self.scale)
        )

    @staticmethod
    def _forward(
        matrix: np.ndarray, features: Sequence[str], transforms: Sequence[str]
    ) -> np.ndarray:
        out = np.empty_like(matrix)
        for j, (name, transform) in enumerate(zip(features, transforms, strict=True)):
            column = matrix[:, j]
            bad = ~np.isfinite(column)
            if transform == "log1p":
                bad |= column <= -1
            if bad.any():
                raise InputDataError(
                    f"{int(bad.sum())} values cannot be scaled with {transform!r} "
                    f"(non-finite{' or <= -1' if transform == 'log1p' else ''}); "
                    f"first: {column[bad][:5].tolist()}",
                    column=name,
                )
            out[:, j] = apply_transform(column, transform)
        return out

    def transform(self, values: np.ndarray) -> np.ndarray:
        """Raw values (rows × features, in this scaler's feature order) to model space (float64)."""
        matrix = _check_matrix(values, self.features)
        transformed = self._forward(matrix, self.features, self.transforms)
        return (transformed - np.asarray(self.mean)) / np.asarray(self.scale)

    def inverse_transform(self, values: np.ndarray) -> np.ndarray:
        """Model-space values back to raw units (float64)."""
        matrix = _check_matrix(values, self.features)
        unscaled = matrix * np.asarray(self.scale) + np.asarray(self.mean)
        out = np.empty_like(unscaled)
        for j, transform in enumerate(self.transforms):
            out[:, j] = invert_transform(unscaled[:, j], transform)
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (floats are written with full precision)."""
        return {
            "format": SCALER_FORMAT,
            "format_version": SCALER_FORMAT_VERSION,
            "features": list(self.features),
            "transforms": list(self.transforms),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "std": "population (ddof 0); zero spread -> scale 1",
            "n_samples": self.n_samples,
        }

    @classmethod
    def from_dict(cls, payload: Mapping[str, Any]) -> Scaler:
        """Rebuild a scaler from `to_dict` output."""
        if payload.get("format") != SCALER_FORMAT:
            raise InputDataError(f"not a lithoflow scaler (format {payload.get('format')!r})")
        features = tuple(payload["features"])
        fields = {k: tuple(payload[k]) for k in ("transforms", "mean", "scale")}
        if any(len(v) != len(features) for v in fields.values()):
            raise InputDataError("scaler fields have different lengths")
        for name in fields["transforms"]:
            if name not in TRANSFORMS:
                raise InputDataError(f"scaler uses unknown transform {name!r}")
        return cls(
            features=features,
            transforms=fields["transforms"],
            mean=tuple(float(v) for v in fields["mean"]),
            scale=tuple(float(v) for v in fields["scale"]),
            n_samples=int(payload["n_samples"]),
        )

    def to_json(self, path: str | os.PathLike[str]) -> None:
        """Write the scaler as JSON, atomically."""
        write_json(path, self.to_dict())

    @classmethod
    def from_json(cls, path: str | os.PathLike[str]) -> Scaler:
        """Read a scaler written by `to_json`."""
        try:
            return cls.from_dict(read_json(path))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputDataError(f"malformed scaler JSON: {exc}", path=str(path)) from exc


def scaling_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """Every feature named under scaling.transforms is a feature of the configured input."""
    features = feature_names(config)
    yield from feature_key_problems(
        config["scaling"].get("transforms") or {}, "scaling.transforms", features
    )
