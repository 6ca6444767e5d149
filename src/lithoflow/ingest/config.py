"""The ingest settings as typed objects: which tables and columns become which features, the
identification columns, the physical ranges of raw rows, the filters of the merged dataset, and
what happens to invalid, duplicate and incomplete rows."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lithoflow.core.config import DEPTH_RANGE_KEY, feature_key_problems, feature_names
from lithoflow.core.dataset import (
    RAW_COUNT_PREFIX,
)
from lithoflow.core.errors import ConfigError, format_list
from lithoflow.ingest.las import LasConfig

TIDY_TABLE = "table"


LAS_TABLE = "las"  # the one table of the las source: every LAS file of data.las.path


@dataclass(frozen=True)
class TableSpec:
    """One raw table: its name, file name and (feature name, raw column) pairs in order."""

    name: str
    file: str
    features: tuple[tuple[str, str], ...]

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(feature for feature, _ in self.features)

    @property
    def raw_columns(self) -> tuple[str, ...]:
        return tuple(column for _, column in self.features)

    @property
    def count_column(self) -> str:
        return f"{RAW_COUNT_PREFIX}{self.name}"


@dataclass(frozen=True)
class IdColumns:
    """Raw column names of the row identity: LILY exp/site/hole, or one tidy borehole column."""

    depth: str
    label: str
    exp: str = ""
    site: str = ""
    hole: str = ""
    borehole: str = ""


@dataclass(frozen=True)
class RangeFilter:
    """Keep merged rows whose `feature` lies in the closed range [minimum, maximum]."""

    feature: str
    minimum: float
    maximum: float

    @property
    def reason(self) -> str:
        return f"{self.feature} outside [{self.minimum:g}, {self.maximum:g}]"


@dataclass(frozen=True)
class ValidRange:
    """Physical limits of single raw rows of `name` (a feature, or ``depth_m``); None = open."""

    name: str
    minimum: float | None
    maximum: float | None

    def outside(self, values: np.ndarray) -> np.ndarray:
        """Rows whose value lies outside the closed range (NaN is never outside)."""
        out = np.zeros(len(values), dtype=bool)
        if self.minimum is not None:
            out |= values < self.minimum
        if self.maximum is not None:
            out |= values > self.maximum
        return out

    @property
    def bounds(self) -> list[float | None]:
        return [self.minimum, self.maximum]


KEEP_OR_DROP = ("keep", "drop")


@dataclass(frozen=True)
class IngestConfig:
    """Ingestion settings built from the validated config's ``data`` and ``ingest`` sections."""

    source: str
    bin_size_m: float
    label_table: str | None  # None where the rule leaves it out (it is the merge's)
    columns: IdColumns
    tables: tuple[TableSpec, ...]
    missing_features: str  # drop rows missing any feature, or keep unless all are missing
    # Settings of one step only, None where a step's rule leaves them out (each rule passes the
    # keys it uses, so editing another step's settings does not rerun it): the range filters
    # and label table of the merge, the raw-row checks of the binning.
    filters: tuple[RangeFilter, ...] | None = None
    valid_ranges: tuple[ValidRange, ...] | None = None
    invalid_rows: str | None = None  # keep | drop rows outside the physical valid_ranges
    duplicate_rows: str | None = None  # keep | drop exact repeats of a raw row
    las: LasConfig | None = None  # only for the las source
    label_case: str | None = None  # merge | keep labels that differ only by case (binning)

    def __post_init__(self) -> None:
        if self.label_case not in ("merge", "keep", None):
            raise ConfigError(
                f"config key ingest.label_case: {self.label_case!r} is not one of 'merge', 'keep'"
            )
        for key in ("invalid_rows", "duplicate_rows", "missing_features"):
            if getattr(self, key) not in (*KEEP_OR_DROP, None):
                raise ConfigError(
                    f"config key ingest.{key}: {getattr(self, key)!r} is not one of "
                    f"{format_list(KEEP_OR_DROP)}"
                )

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> IngestConfig:
        """Build from a config holding ``data`` and ``ingest``.

        A subset also works (e.g. one table and no filters, as the binning rule passes), so a rule
        reruns only when the settings it uses change.
        """
        data = config["data"]
        ingest = config["ingest"]
        source = data["source"]
        las = None
        if source == "las":
            las = LasConfig.from_config(data["las"])
            columns = IdColumns(depth="depth", label=las.label_curve, borehole="borehole_id")
            tables = (
                TableSpec(
                    name=LAS_TABLE, file=las.path, features=tuple((f, f) for f in las.features)
                ),
            )
            label_table = LAS_TABLE
        elif source == "table":
            tidy = data["table"]
            columns = IdColumns(
                depth=tidy["depth_column"],
                label=tidy["label_column"],
                borehole=tidy["borehole_column"],
            )
            tables = (
                TableSpec(
                    name=TIDY_TABLE,
                    file=str(tidy["path"]),
                    features=tuple((f, f) for f in tidy["features"]),
                ),
            )
            label_table = TIDY_TABLE
        else:
            names = ingest["columns"]
            columns = IdColumns(
                depth=names["depth"],
                label=names["label"],
                exp=names["exp"],
                site=names["site"],
                hole=names["hole"],
            )
            tables = tuple(
                TableSpec(name=name, file=spec["file"], features=tuple(spec["features"].items()))
                for name, spec in ingest["tables"].items()
            )
            label_table = ingest.get("label_table")  # the merge's setting
        filters = (
            None
            if "filters" not in ingest
            else tuple(
                RangeFilter(feature, float(bounds[0]), float(bounds[1]))
                for feature, bounds in ingest["filters"].items()
            )
        )
        valid_ranges = (
            None
            if "valid_ranges" not in ingest
            else tuple(
                ValidRange(
                    name,
                    None if bounds[0] is None else float(bounds[0]),
                    None if bounds[1] is None else float(bounds[1]),
                )
                for name, bounds in ingest["valid_ranges"].items()
            )
        )
        row_actions = {key: ingest.get(key) for key in ("invalid_rows", "duplicate_rows")}
        return cls(
            source=source,
            bin_size_m=float(ingest["bin_size_m"]),
            label_table=label_table,
            columns=columns,
            tables=tables,
            filters=filters,
            valid_ranges=valid_ranges,
            missing_features=ingest["missing_features"],
            **row_actions,
            las=las,
            label_case=ingest.get("label_case"),
        )

    def step_setting(self, name: str) -> Any:
        """A setting that only some steps get (`filters`, `valid_ranges`, `invalid_rows`,
        `duplicate_rows`, `label_table`, `label_case`); ConfigError if this step's rule did not
        pass it."""
        value = getattr(self, name)
        if value is None:
            raise ConfigError(f"config key ingest.{name}: this step needs it, and it was not given")
        return value

    @property
    def table_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.tables)

    @property
    def features(self) -> tuple[str, ...]:
        """All feature names in join order."""
        return tuple(f for spec in self.tables for f in spec.feature_names)

    def table(self, name: str) -> TableSpec:
        """The spec of table `name`; ConfigError if the config does not define it."""
        for spec in self.tables:
            if spec.name == name:
                return spec
        key = {"table": "data.table", "las": "data.las"}.get(self.source, "ingest.tables")
        raise ConfigError(
            f"config key {key}: no table {name!r} is configured "
            f"(configured: {format_list(self.table_names)})"
        )


def _las_problems(las: Mapping[str, Any]) -> Iterator[str]:
    """data.las: model features must be configured curves; a mnemonic serves one feature only."""
    curves = las["curves"]
    unknown = [f for f in las.get("features") or [] if f not in curves]
    if unknown:
        yield (
            f"config key data.las.features: {format_list(unknown)} not in data.las.curves "
            f"({format_list(curves)})"
        )
    owner: dict[str, str] = {}
    for feature, mnemonics in curves.items():
        for mnemonic in [mnemonics] if isinstance(mnemonics, str) else mnemonics:
            other = owner.setdefault(mnemonic.upper(), feature)
            if other != feature:
                yield (
                    f"config key data.las.curves.{feature}: mnemonic {mnemonic!r} is also listed "
                    f"for {other}"
                )
    confidence = las.get("confidence")
    if confidence and confidence["curve"].upper() in owner:
        yield (
            f"config key data.las.confidence.curve: {confidence['curve']!r} is also a feature curve"
        )


def ingest_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """The data source's section is there; tables, features, filters and ranges agree."""
    ingest = config["ingest"]
    source = config["data"]["source"]
    if source in ("table", "las"):
        if source not in config["data"]:
            yield f"config key data.{source}: required when data.source is {source!r}"
            return
        if source == "las":
            yield from _las_problems(config["data"]["las"])
    else:
        for key in ("tables", "label_table"):
            if key not in ingest:
                yield f"config key ingest.{key}: required when data.source is {source!r}"
        if "tables" not in ingest:
            return
        tables = ingest["tables"]
        if "label_table" in ingest and ingest["label_table"] not in tables:
            yield (
                f"config key ingest.label_table: {ingest['label_table']!r} is not one of "
                f"ingest.tables ({format_list(tables)})"
            )
    features = feature_names(config)
    duplicated = sorted({f for f in features if features.count(f) > 1})
    if duplicated:
        yield f"config key ingest.tables: feature names used twice: {format_list(duplicated)}"
    if DEPTH_RANGE_KEY in features:
        yield (
            f"config key ingest.valid_ranges: a feature is named {DEPTH_RANGE_KEY!r}, the key that "
            "bounds the depth column; rename the feature"
        )
    for section in ("filters", "valid_ranges"):
        bounds_by_name = ingest.get(section) or {}
        extra = (DEPTH_RANGE_KEY,) if section == "valid_ranges" else ()
        yield from feature_key_problems(bounds_by_name, f"ingest.{section}", features, extra)
        for name, (low, high) in bounds_by_name.items():
            if low is not None and high is not None and low > high:
                yield f"config key ingest.{section}.{name}: min > max in {[low, high]}"
