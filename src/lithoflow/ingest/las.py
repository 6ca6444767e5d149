"""LAS 2.0 well logs (one well per file, optionally gzip-compressed) as raw rows for binning.

Each file is read with `lasio`. Per well: the depth curve (first of the configured mnemonics that is
present) converted to metres from the unit in the header, every configured feature curve looked up
by its mnemonic and aliases (case-insensitive; a curve a well lacks stays missing for that well),
the label curve decoded through an optional code -> name table, and an optional confidence curve
that drops rows above a configured confidence. The header's NULL value is missing (lasio's strict
NULL policy).

The wells become one `RawRows` (borehole id = file stem or a ~Well header field), so binning,
merging and the ingest report are the ones every other input kind uses. Bad input raises
`InputDataError` naming the file.
"""

from __future__ import annotations

import glob
import gzip
import io
import logging
import os
import re
import warnings
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lasio
import numpy as np
import pandas as pd

from lithoflow.core.errors import ConfigError, InputDataError, format_list
from lithoflow.ingest.readers import RawRows, split_borehole_id

logger = logging.getLogger(__name__)

LAS_SUFFIXES = (".las", ".las.gz")
FILE_STEM = "file"
LOW_CONFIDENCE = "low_confidence"
MISSING_CONFIDENCE = "missing_confidence"

# Depth units (upper case, as in the header) -> metres per unit.
DEPTH_UNITS_M = {
    "M": 1.0,
    "METER": 1.0,
    "METERS": 1.0,
    "METRE": 1.0,
    "METRES": 1.0,
    "FT": 0.3048,
    "F": 0.3048,
    "FEET": 0.3048,
    "FOOT": 0.3048,
}


@dataclass(frozen=True)
class ConfidenceFilter:
    """Keep rows whose `curve` value is at most `maximum` (e.g. 1 high ... 3 low confidence)."""

    curve: str
    maximum: float


@dataclass(frozen=True, kw_only=True)
class LasConfig:
    """The ``data.las`` section: where the files are and which curves become what."""

    path: str
    curves: tuple[tuple[str, tuple[str, ...]], ...]  # feature -> mnemonics, first found wins
    label_curve: str
    features: tuple[str, ...]  # model features (rows missing one are dropped); all curves
    depth_curves: tuple[str, ...]
    borehole_id: str  # "file" or a ~Well mnemonic such as UWI or WELL
    label_codes: Mapping[str, str] | str | None = None  # mapping or CSV path (code, name columns)
    confidence: ConfidenceFilter | None = None

    @classmethod
    def from_config(cls, las: Mapping[str, Any]) -> LasConfig:
        """Build from the validated ``data.las`` mapping."""
        curves = tuple(
            (str(feature), tuple(_as_list(mnemonics)))
            for feature, mnemonics in las["curves"].items()
        )
        features = tuple(las.get("features") or [feature for feature, _ in curves])
        codes = las.get("label_codes")
        if isinstance(codes, Mapping):
            codes = {_code_key(code): str(name) for code, name in codes.items()}
        confidence = las.get("confidence")
        return cls(
            path=str(las["path"]),
            curves=curves,
            label_curve=str(las["label_curve"]),
            features=features,
            depth_curves=tuple(las["depth_curves"]),
            label_codes=codes or None,
            borehole_id=str(las["borehole_id"]),
            confidence=ConfidenceFilter(str(confidence["curve"]), float(confidence["max"]))
            if confidence
            else None,
        )

    def mnemonics(self, feature: str) -> tuple[str, ...]:
        return dict(self.curves)[feature]


def _as_list(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _code_key(code: Any) -> str:
    """A label code as text: integral numbers without a decimal part (30000.0 -> "30000")."""
    try:
        number = float(code)
    except (TypeError, ValueError):
        return str(code).strip()
    if np.isfinite(number) and number == int(number):
        return str(int(number))
    return repr(number)


# --------------------------------------------------------------------------------------------
# Finding the files


def is_las_file(path: str | os.PathLike[str]) -> bool:
    """Whether the name ends in .las or .las.gz (any case)."""
    return str(path).lower().endswith(LAS_SUFFIXES)


def las_files(pattern: str | os.PathLike[str]) -> list[str]:
    """The LAS files a folder (its *.las, *.las.gz) or a glob names, sorted; ConfigError if none."""
    pattern = str(pattern)
    if Path(pattern).is_dir():
        found = [str(p) for p in Path(pattern).iterdir() if p.is_file() and is_las_file(p)]
    else:
        found = [p for p in glob.glob(pattern) if Path(p).is_file()]
    if not found:
        raise ConfigError(
            f"config key data.las.path: no LAS files (*.las, *.las.gz) found at {pattern!r}"
        )
    return sorted(found)


def file_stem(path: str | os.PathLike[str]) -> str:
    """The file name without .las / .las.gz (``16_1-6_A.las.gz`` -> ``16_1-6_A``)."""
    name = Path(path).name
    for suffix in (".las.gz", ".las", ".gz"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


# --------------------------------------------------------------------------------------------
# Reading one file


def read_las_text(path: str | os.PathLike[str]) -> str:
    """The text of a LAS file (gunzipped when it ends in .gz); header must be ASCII."""
    path = str(path)
    if not Path(path).is_file():
        raise InputDataError("LAS file not found (check data.las.path)", path=path)
    try:
        if path.lower().endswith(".gz"):
            with gzip.open(path, "rb") as stream:
                raw = stream.read()
        else:
            raw = Path(path).read_bytes()
    except (OSError, EOFError, zlib.error) as error:
        raise InputDataError(
            f"cannot decompress the file (truncated or not gzip): {error}", path=path
        ) from error
    header = raw[: _ascii_section(raw)]
    bad = re.search(rb"[\x80-\xff]", header)
    if bad:
        line = header.count(b"\n", 0, bad.start()) + 1
        text = header.splitlines()[line - 1].decode("latin-1")
        raise InputDataError(
            f"non-ASCII byte 0x{bad.group()[0]:02x} in the LAS header, line {line}: {text!r}",
            path=path,
        )
    return raw.decode("latin-1")


def _ascii_section(raw: bytes | str) -> int:
    """Offset of the ~A(SCII) section marker (len(raw) if none). Data lines never hold a "~"."""
    marks = ("~A", "~a") if isinstance(raw, str) else (b"~A", b"~a")
    found = [offset for offset in (raw.find(mark) for mark in marks) if offset >= 0]
    return min(found) if found else len(raw)


def _parse_las(text: str, path: str) -> lasio.LASFile:
    """lasio's reading of `text`, with its failures turned into InputDataError."""
    lines = (line.strip() for line in text[:8192].splitlines())
    first = next((line for line in lines if line and line[0] != "#"), "")
    if not first.upper().startswith("~V"):
        raise InputDataError(
            f"not a LAS file: the first section must be ~Version, found {first[:60]!r}", path=path
        )
    if _ascii_section(text) == len(text):
        raise InputDataError("no ~ASCII data section (truncated file?)", path=path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return lasio.read(io.StringIO(text), ignore_header_errors=False)
    except Exception as error:  # lasio raises many types; all mean "cannot read this file"
        hint = " (truncated file?)" if "reshape" in str(error) else ""
        raise InputDataError(f"cannot read as LAS 2.0{hint}: {error}", path=path) from error


def _curve_lookup(las: lasio.LASFile) -> dict[str, int]:
    """Upper-case mnemonic -> column index (first occurrence wins)."""
    lookup: dict[str, int] = {}
    for j, curve in enumerate(las.curves):
        lookup.setdefault(curve.mnemonic.upper(), j)
        lookup.setdefault(curve.original_mnemonic.upper(), j)
    return lookup


def _find(lookup: Mapping[str, int], mnemonics: Sequence[str]) -> tuple[str, int] | None:
    for mnemonic in mnemonics:
        if mnemonic.upper() in lookup:
            return mnemonic, lookup[mnemonic.upper()]
    return None


def _header_value(las: lasio.LASFile, mnemonic: str) -> str:
    for item in las.well:
        if item.mnemonic.upper() == mnemonic.upper():
            return str(item.value).strip()
    return ""


def depth_to_metres(unit: str, path: str, curve: str) -> float:
    """Metres per depth unit; InputDataError naming the file for an unknown or missing unit."""
    factor = DEPTH_UNITS_M.get(unit.strip().upper())
    if factor is None:
        known = format_list(sorted({u.lower() for u in DEPTH_UNITS_M}))
        raise InputDataError(
            f"unknown depth unit {unit!r} of curve {curve} (known: {known})",
            path=path,
            column=curve,
        )
    return factor


@dataclass
class LasWell:
    """One well read from one file: depth (m), feature values, raw label values, report."""

    path: str
    borehole_id: str
    depth_m: np.ndarray
    values: np.ndarray  # rows x model features (NaN where missing or curve absent)
    labels: np.ndarray  # float per row (NaN: unlabelled or no label curve)
    confidence: np.ndarray | None
    report: dict[str, Any] = field(default_factory=dict)


def _check_depths(depth: np.ndarray, path: str, curve: str) -> None:
    """Depths must be strictly monotonic (increasing or decreasing), ignoring missing ones."""
    finite = depth[~np.isnan(depth)]
    if len(finite) < 2:
        return
    steps = np.diff(finite)
    if (steps > 0).all() or (steps < 0).all():
        return
    direction = 1.0 if np.sum(steps > 0) >= np.sum(steps < 0) else -1.0
    where = int(np.flatnonzero(steps * direction <= 0)[0])
    kind = "duplicated" if steps[where] == 0 else "non-monotonic"
    rows = np.flatnonzero(~np.isnan(depth))[max(where - 1, 0) : where + 3]
    raise InputDataError(
        f"{kind} depths: the {curve} curve must increase (or decrease) strictly",
        path=path,
        column=curve,
        examples=pd.DataFrame({"data_row": rows + 1, curve: depth[rows]}),
    )


def read_las_well(path: str | os.PathLike[str], config: LasConfig) -> LasWell:
    """Read one LAS file: depth in metres, model features, label values, confidence, report."""
    path = str(path)
    las = _parse_las(read_las_text(path), path)
    lookup = _curve_lookup(las)
    data = np.asarray(las.data, dtype=np.float64)
    if data.ndim != 2 or data.shape[1] != len(las.curves):
        raise InputDataError("the ~ASCII data do not match the ~Curve section", path=path)
    depth_found = _find(lookup, config.depth_curves)
    if depth_found is None:
        raise InputDataError(
            f"no depth curve: none of {format_list(config.depth_curves)} is in the file "
            f"(curves: {format_list([c.mnemonic for c in las.curves], 30)})",
            path=path,
        )
    depth_name, depth_column = depth_found
    unit = las.curves[depth_column].unit or (las.well["STRT"].unit if "STRT" in las.well else "")
    factor = depth_to_metres(unit, path, depth_name)
    depth = data[:, depth_column] * factor
    _check_depths(depth, path, depth_name)

    if config.borehole_id == FILE_STEM:
        borehole = file_stem(path)
    else:
        borehole = _header_value(las, config.borehole_id)
        if not borehole:
            raise InputDataError(
                f"the ~Well section has no {config.borehole_id} value (data.las.borehole_id)",
                path=path,
            )
    found: dict[str, str | None] = {}
    columns: dict[str, int] = {}
    for feature, mnemonics in config.curves:
        hit = _find(lookup, mnemonics)
        found[feature] = las.curves[hit[1]].mnemonic if hit else None
        if hit:
            columns[feature] = hit[1]
    n_rows = len(depth)
    values = np.full((n_rows, len(config.features)), np.nan)
    for j, feature in enumerate(config.features):
        if feature in columns:
            values[:, j] = data[:, columns[feature]]
    label_hit = _find(lookup, [config.label_curve])
    labels = data[:, label_hit[1]] if label_hit else np.full(n_rows, np.nan)
    confidence = None
    if config.confidence is not None:
        hit = _find(lookup, [config.confidence.curve])
        confidence = data[:, hit[1]] if hit else np.full(n_rows, np.nan)
    report = {
        "file": path,
        "borehole_id": borehole,
        "well": _header_value(las, "WELL"),
        "rows": n_rows,
        "depth_curve": las.curves[depth_column].mnemonic,
        "depth_unit": unit,
        "top_m": float(np.nanmin(depth)) if n_rows else None,
        "bottom_m": float(np.nanmax(depth)) if n_rows else None,
        "curves": found,
        "curves_missing": [f for f, m in found.items() if m is None],
        "label_curve_found": label_hit is not None,
        "labelled_rows": int(np.count_nonzero(~np.isnan(labels))),
    }
    if label_hit is None:
        logger.warning(
            "%s: no label curve %s; its rows count as unlabelled", path, config.label_curve
        )
    return LasWell(path, borehole, depth, values, labels, confidence, report)


# --------------------------------------------------------------------------------------------
# Label codes


def load_label_codes(codes: Mapping[str, str] | str | None) -> dict[str, str] | None:
    """The code -> name table: a mapping as given, or a CSV's first two columns (code, name)."""
    if codes is None or isinstance(codes, Mapping):
        return dict(codes) if codes is not None else None
    path = str(codes)
    if not Path(path).is_file():
        raise InputDataError("label code table not found (data.las.label_codes)", path=path)
    table = pd.read_csv(path, dtype=str)
    if table.shape[1] < 2:
        raise InputDataError(
            "the label code table needs two columns: code, name", path=path, examples=table.head()
        )
    code, name = table.columns[:2]
    if table[[code, name]].isna().any().any():
        bad = table[code].isna() | table[name].isna()
        raise InputDataError(
            "empty code or name in the label code table",
            path=path,
            examples=table.loc[bad].head(),
        )
    keys = [_code_key(c) for c in table[code]]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    if duplicated:
        raise InputDataError(
            f"codes listed twice: {format_list(duplicated)}", path=path, column=str(code)
        )
    return dict(zip(keys, table[name].str.strip(), strict=True))


def _label_names(
    wells: Sequence[LasWell], codes: Mapping[str, str] | None, label_curve: str
) -> tuple[np.ndarray, np.ndarray]:
    """Label code per row (-1 unlabelled) of all wells stacked, and the sorted label names."""
    raw = np.concatenate([w.labels for w in wells]) if wells else np.zeros(0)
    labelled = ~np.isnan(raw)
    distinct, inverse = np.unique(raw[labelled], return_inverse=True)
    keys = [_code_key(v) for v in distinct]
    if codes is not None:
        unknown = [k for k in keys if k not in codes]
        if unknown:
            offsets = np.cumsum([0] + [len(w.labels) for w in wells])
            first = np.flatnonzero(labelled)[np.isin(keys, unknown)[inverse]][:5]
            well_of = np.searchsorted(offsets, first, side="right") - 1
            examples = pd.DataFrame(
                {
                    "file": [wells[i].path for i in well_of],
                    "data_row": first - offsets[well_of] + 1,
                    label_curve: raw[first],
                }
            )
            raise InputDataError(
                f"label code(s) {format_list(unknown)} are not in the code table "
                f"(data.las.label_codes; known: {format_list(list(codes), 20)})",
                path=examples["file"].iloc[0],
                column=label_curve,
                examples=examples,
            )
        keys = [codes[k] for k in keys]
    names, rank = np.unique(np.asarray(keys, dtype=object), return_inverse=True)
    label_code = np.full(len(raw), -1, dtype=np.int64)
    label_code[labelled] = rank.reshape(-1)[inverse.reshape(-1)]
    return label_code, names


# --------------------------------------------------------------------------------------------
# All wells -> RawRows


def read_las_rows(paths: Sequence[str | os.PathLike[str]], config: LasConfig) -> RawRows:
    """Read every LAS file into one `RawRows` (one borehole per file, ids sorted).

    Per-well reports travel in `RawRows.sources`; the confidence filter (when configured) in
    `RawRows.row_filters`, so the binning step counts its drops next to the missing-value drops.
    """
    if not paths:
        raise ConfigError("config key data.las.path: no LAS files given")
    wells = [read_las_well(p, config) for p in paths]
    by_id: dict[str, str] = {}
    for well in wells:
        if well.borehole_id in by_id:
            raise InputDataError(
                f"two files give the borehole id {well.borehole_id!r}: {by_id[well.borehole_id]} "
                f"and {well.path} (data.las.borehole_id: {config.borehole_id})",
                path=well.path,
            )
        by_id[well.borehole_id] = well.path
    wells.sort(key=lambda w: w.borehole_id)
    codes = load_label_codes(config.label_codes)
    label_code, label_names = _label_names(wells, codes, config.label_curve)
    sizes = [len(w.depth_m) for w in wells]
    ids = np.asarray([w.borehole_id for w in wells], dtype=object)
    parts = [split_borehole_id(b) for b in ids]
    row_filters: tuple[tuple[str, np.ndarray], ...] = ()
    if config.confidence is not None:
        confidence = np.concatenate([w.confidence for w in wells])
        row_filters = (
            (MISSING_CONFIDENCE, np.isnan(confidence)),
            (LOW_CONFIDENCE, confidence > config.confidence.maximum),
        )
    return RawRows(
        path=str(config.path),
        borehole_code=np.repeat(np.arange(len(wells), dtype=np.int64), sizes),
        borehole_ids=ids,
        exp=np.asarray([p[0] for p in parts], dtype=object),
        site=np.asarray([p[1] for p in parts], dtype=object),
        hole=np.asarray([p[2] for p in parts], dtype=object),
        depth_m=np.concatenate([w.depth_m for w in wells]),
        label_code=label_code,
        label_names=label_names,
        values=np.concatenate([w.values for w in wells]),
        value_columns=config.features,
        depth_column="depth",
        label_column=config.label_curve,
        row_filters=row_filters,
        sources=tuple(w.report for w in wells),
    )
