"""LAS 2.0 well logs (one well per file, optionally gzip-compressed) as raw rows for binning.

Each file is read with `lasio`. Per well: the depth curve (first of the configured mnemonics that is
present) converted to metres from the unit in the header, every configured feature curve looked up
by its mnemonic and aliases (case-insensitive; a curve a well lacks stays missing for that well),
the label curve decoded through an optional code -> name table, and an optional confidence curve
that drops rows above a configured confidence. The header's NULL value and the field's common
sentinels (`data.las.null_values`) are missing in every curve but the depth; the values replaced
are counted per curve in the well's report.

Checks beyond lasio's: the data's first and last depth and step against the ~Well STRT/STOP/STEP
(a file cut at a line boundary; `data.las.header_mismatch`), depth units that disagree between
the depth curve and the ~Well section, wrapped files (read here: lasio guesses the column count
of a wrapped file from its line lengths, wrongly when every line holds as many values), a gzip
file named .las (read), LAS 3.0 (refused by name), a header without data rows and the same well
under two file names (reported). docs/bad_input.md lists every case and its message.

The wells become one `RawRows` (borehole id = file stem or a ~Well header field), so binning,
merging and the ingest report are the ones every other input kind uses. Bad input raises
`InputDataError` naming the file; warnings are logged and kept in the well's report
(``warnings``), which the ingest report shows under ``tables.las.wells[]``.
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
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
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
GZIP_MAGIC = b"\x1f\x8b"
HEADER_MISMATCH_ERROR = "error"
# The data's step may differ from the header's STEP by this share of it (a STEP written with
# three digits, 0.152 for 0.1524, is 0.3 % off).
STEP_TOLERANCE = 0.01

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
    null_values: tuple[float, ...]  # missing besides the header's NULL (not in the depth curve)
    header_mismatch: str  # "warn" or "error": data vs the ~Well STRT/STOP/STEP
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
            null_values=tuple(float(v) for v in las["null_values"]),
            header_mismatch=str(las["header_mismatch"]),
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


def las_files(pattern: str | os.PathLike[str], key: str = "data.las.path") -> list[str]:
    """The LAS files a folder (its *.las, *.las.gz) or a glob names, sorted; ConfigError naming
    the config `key` that gave `pattern` if none."""
    pattern = str(pattern)
    if Path(pattern).is_dir():
        found = [str(p) for p in Path(pattern).iterdir() if p.is_file() and is_las_file(p)]
    else:
        found = [p for p in glob.glob(pattern) if Path(p).is_file()]
    if not found:
        raise ConfigError(f"config key {key}: no LAS files (*.las, *.las.gz) found at {pattern!r}")
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
    """The text of a LAS file (gunzipped when gzip-compressed, whatever its name); header must be
    ASCII. A gzip file named .las is read with a logged warning."""
    text, notes = _read_source(str(path))
    for note in notes:
        logger.warning("%s", note)
    return text


def _read_source(path: str) -> tuple[str, list[str]]:
    """The text of a LAS file and the warnings about how it was stored (a gzip file named .las)."""
    if not Path(path).is_file():
        raise InputDataError("LAS file not found (check data.las.path)", path=path)
    notes = []
    try:
        if path.lower().endswith(".gz"):
            with gzip.open(path, "rb") as stream:
                raw = stream.read()
        else:
            raw = Path(path).read_bytes()
            if raw[:2] == GZIP_MAGIC:
                raw = gzip.decompress(raw)
                name = Path(path).name
                notes.append(
                    f"{path}: the file is gzip-compressed but named {Path(path).suffix or name}; "
                    f"read it anyway (rename it to {name}.gz)"
                )
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
    return raw.decode("latin-1"), notes


def _ascii_section(raw: bytes | str) -> int:
    """Offset of the ~A(SCII) section marker (len(raw) if none). Data lines never hold a "~"."""
    marks = ("~A", "~a") if isinstance(raw, str) else (b"~A", b"~a")
    found = [offset for offset in (raw.find(mark) for mark in marks) if offset >= 0]
    return min(found) if found else len(raw)


def _version_items(text: str) -> dict[str, str]:
    """Upper-case mnemonic -> value of the ~Version section (VERS, WRAP, ...), read from the text
    so that the version and wrapping are known before lasio reads the data."""
    items: dict[str, str] = {}
    inside = False
    for line in text[:16384].splitlines():
        line = line.strip()
        if not line or line[0] == "#":
            continue
        if line[0] == "~":
            if inside:
                break
            inside = line[1:2].upper() == "V"
            continue
        if inside and "." in line:
            mnemonic, _, rest = line.partition(".")
            rest = rest.split(":", 1)[0]
            value = rest if rest[:1].isspace() else rest.partition(" ")[2]
            items[mnemonic.strip().upper()] = value.strip()
    return items


def _las_version(items: Mapping[str, str]) -> float | None:
    try:
        return float(items.get("VERS", "").split()[0])
    except (IndexError, ValueError):
        return None


def _is_wrapped(items: Mapping[str, str]) -> bool:
    """Whether the ~Version section says WRAP YES."""
    return items.get("WRAP", "").upper().startswith("Y")


class _EngineNote(logging.Filter):
    """Drops lasio's note that a non-strict null policy would want its slow engine: lithoflow
    reads unwrapped files with the numpy engine on purpose and wrapped files itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "engine='normal'" not in record.getMessage()


_LASIO_LOGGER = logging.getLogger("lasio.las")


@contextmanager
def _quiet_engine_note() -> Iterator[None]:
    note = _EngineNote()
    _LASIO_LOGGER.addFilter(note)
    try:
        yield
    finally:
        _LASIO_LOGGER.removeFilter(note)


def _parse_las(text: str, path: str, *, null_policy: str = "strict") -> lasio.LASFile:
    """lasio's reading of `text`, with its failures turned into InputDataError.

    `null_policy` "strict" (lasio's default) makes the header's NULL missing in every curve but
    the first; "none" keeps the values as written (`read_las_well` replaces and counts them). A
    non-strict policy would switch lasio to its pure-Python engine (about 4x slower on the FORCE
    wells), so unwrapped files keep the numpy engine and wrapped files are read by
    `_read_wrapped`.
    """
    lines = (line.strip() for line in text[:8192].splitlines())
    first = next((line for line in lines if line and line[0] != "#"), "")
    if not first.upper().startswith("~V"):
        raise InputDataError(
            f"not a LAS file: the first section must be ~Version, found {first[:60]!r}", path=path
        )
    items = _version_items(text)
    version = _las_version(items)
    if version is not None and version >= 3:
        raise InputDataError(
            f"LAS {version:.1f} is not supported (lasio reads LAS 1.2 and 2.0): the ~Version "
            f"section gives VERS {items['VERS']}; save the file as LAS 2.0",
            path=path,
        )
    if _ascii_section(text) == len(text):
        raise InputDataError("no ~ASCII data section (truncated file?)", path=path)
    wrapped = _is_wrapped(items)
    try:
        with warnings.catch_warnings(), _quiet_engine_note():
            warnings.simplefilter("ignore")
            las = lasio.read(
                io.StringIO(text),
                ignore_header_errors=False,
                ignore_data=wrapped,
                null_policy=null_policy,
                use_normal_engine_for_wrapped=False,
            )
    except Exception as error:  # lasio raises many types; all mean "cannot read this file"
        hint = " (truncated file?)" if "reshape" in str(error) else ""
        raise InputDataError(f"cannot read as LAS 2.0{hint}: {error}", path=path) from error
    if wrapped:
        _read_wrapped(las, text, path, strict_null=null_policy == "strict")
    return las


def _read_wrapped(las: lasio.LASFile, text: str, path: str, *, strict_null: bool) -> None:
    """Set the curves' data of a wrapped file (WRAP YES): every value of the ~ASCII section in
    order, one row per curve count (lasio's rule for wrapped data, without its guess of the
    column count from the first lines, which fails when every line holds as many values)."""
    start = text.find("\n", _ascii_section(text))
    body = text[start + 1 :] if start >= 0 else ""
    tokens = [
        token
        for line in body.splitlines()
        if line.strip() and line.lstrip()[0] != "#"
        for token in line.split()
    ]
    n_curves = len(las.curves)
    try:
        values = np.array(tokens, dtype=np.float64)
    except ValueError as error:
        raise InputDataError(
            f"wrapped data (~Version WRAP YES): a value is not a number ({error})", path=path
        ) from error
    if n_curves == 0 or len(values) % n_curves:
        raise InputDataError(
            f"wrapped data (~Version WRAP YES): {len(values):,} values are not a multiple of "
            f"the {n_curves} curves of the ~Curve section (truncated file?)",
            path=path,
        )
    data = values.reshape(-1, n_curves)
    null = _header_number(las, "NULL") if strict_null else None
    for j, curve in enumerate(las.curves):
        column = data[:, j].copy()
        if null is not None and j > 0:
            column[column == null] = np.nan
        curve.data = column


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


def _header_number(las: lasio.LASFile, mnemonic: str) -> float | None:
    """A ~Well value as a finite number (None when absent, empty or not a number)."""
    try:
        number = float(_header_value(las, mnemonic))
    except ValueError:
        return None
    return number if np.isfinite(number) else None


def _header_unit(las: lasio.LASFile, mnemonic: str) -> str:
    for item in las.well:
        if item.mnemonic.upper() == mnemonic.upper():
            return str(item.unit or "").strip()
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


def _warn(report: dict[str, Any], message: str) -> None:
    """Log a warning and keep it in the well's report (the ingest report's wells[].warnings)."""
    logger.warning("%s", message)
    report.setdefault("warnings", []).append(message)


def _number(value: float) -> str:
    return f"{value:,.6g}"


def _same_unit(a: str, b: str) -> bool:
    a, b = a.strip().upper(), b.strip().upper()
    if a in DEPTH_UNITS_M and b in DEPTH_UNITS_M:
        return DEPTH_UNITS_M[a] == DEPTH_UNITS_M[b]
    return a == b


def _check_depth_units(las: lasio.LASFile, depth_column: int, path: str) -> None:
    """The depth curve's unit and the ~Well STRT/STOP/STEP units must agree where both are given:
    nothing tells which of two units the depths are in, and a wrong one scales every depth."""
    curve = las.curves[depth_column]
    unit = str(curve.unit or "").strip()
    if not unit:
        return
    for mnemonic in ("STRT", "STOP", "STEP"):
        header = _header_unit(las, mnemonic)
        if header and not _same_unit(unit, header):
            raise InputDataError(
                f"conflicting depth units: the depth curve {curve.mnemonic} is in {unit!r} but "
                f"the ~Well {mnemonic} is in {header!r}; correct the header (lithoflow cannot "
                "tell which unit the depths are in)",
                path=path,
                column=curve.mnemonic,
            )


def _replace_nulls(
    data: np.ndarray,
    las: lasio.LASFile,
    depth_column: int,
    null: float | None,
    sentinels: Sequence[float],
) -> tuple[dict[str, int], dict[float, int]]:
    """Set the header's NULL and the sentinels to NaN in every column but the depth (in place);
    values replaced per curve mnemonic (those with any) and per value."""
    per_curve = np.zeros(data.shape[1], dtype=np.int64)
    per_value: dict[float, int] = {}
    for value in dict.fromkeys([*([null] if null is not None else []), *sentinels]):
        hit = data == value
        hit[:, depth_column] = False
        counts = hit.sum(axis=0)
        per_value[value] = int(counts.sum())
        if per_value[value]:
            per_curve += counts
            data[hit] = np.nan
    replaced = {
        las.curves[j].mnemonic: int(per_curve[j]) for j in np.flatnonzero(per_curve).tolist()
    }
    return replaced, per_value


def _null_warning(
    null: float | None, per_value: Mapping[float, int], replaced: Mapping[str, int]
) -> str | None:
    """The warning when the data use sentinels but never the declared NULL, else None."""
    if null is not None and per_value.get(null, 0):
        return None
    found = [value for value, count in per_value.items() if count and value != null]
    if not found:
        return None
    total = sum(per_value[value] for value in found)
    curves = len(replaced)
    declared = (
        f"the header's NULL {null:g} never occurs in the data"
        if null is not None
        else "the header declares no NULL value"
    )
    return (
        f"{declared}, but {', '.join(f'{v:g}' for v in found)} do ({total:,} values in "
        f"{curves} curve{'s' if curves != 1 else ''}); read as missing (data.las.null_values)"
    )


def _header_mismatch(las: lasio.LASFile, depth: np.ndarray, unit: str) -> str | None:
    """How the data's first and last depth and step (in the file's depth unit) differ from the
    ~Well STRT, STOP and STEP, or None. First and last depth may be off by up to one step (the
    FORCE 2020 wells give STOP up to 0.99 step past the last sample, so a fraction of a step would
    flag sound files); the step by STEP_TOLERANCE of it."""
    finite = depth[~np.isnan(depth)]
    if not len(finite):
        return None
    strt, stop, step = (_header_number(las, m) for m in ("STRT", "STOP", "STEP"))
    data_step = float(np.median(np.diff(finite))) if len(finite) > 1 else None
    scale = abs(step) if step else abs(data_step or 0.0)
    tolerance = max(scale, 1e-9 * float(np.abs(finite).max())) * (1 + 1e-6)
    first, last = float(finite[0]), float(finite[-1])
    problems = []
    if strt is not None and abs(first - strt) > tolerance:
        problems.append(
            f"the header's STRT is {_number(strt)} {unit} but the data start at "
            f"{_number(first)} {unit}"
        )
    if stop is not None and abs(last - stop) > tolerance:
        problems.append(
            f"the header's STOP is {_number(stop)} {unit} but the data end at "
            f"{_number(last)} {unit}"
        )
    if step and data_step is not None and abs(data_step - step) > STEP_TOLERANCE * abs(step):
        problems.append(
            f"the header's STEP is {_number(step)} {unit} but the data step by "
            f"{_number(data_step)} {unit}"
        )
    if not problems:
        return None
    counts = f"{len(depth):,} rows read"
    if step and strt is not None and stop is not None:
        implied = int(np.floor((stop - strt) / step + 1e-6)) + 1  # STOP may pass the last sample
        counts += f"; STRT/STOP/STEP imply {implied:,}"
    short = stop is not None and (last - stop) * np.sign(step or data_step or 1.0) < -tolerance
    hint = ": truncated file?" if short else ""
    return f"the data do not match the ~Well header: {'; '.join(problems)} ({counts}){hint}"


def read_las_well(path: str | os.PathLike[str], config: LasConfig) -> LasWell:
    """Read one LAS file: depth in metres, model features, label values, confidence, report."""
    path = str(path)
    text, notes = _read_source(path)
    las = _parse_las(text, path, null_policy="none")  # NULL and sentinels replaced below
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
    _check_depth_units(las, depth_column, path)
    unit = las.curves[depth_column].unit or _header_unit(las, "STRT")
    factor = depth_to_metres(unit, path, depth_name)
    null = _header_number(las, "NULL")
    replaced, per_value = _replace_nulls(data, las, depth_column, null, config.null_values)
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
        "uwi": _header_value(las, "UWI"),
        "rows": n_rows,
        "depth_curve": las.curves[depth_column].mnemonic,
        "depth_unit": unit,
        "top_m": float(np.nanmin(depth)) if n_rows else None,
        "bottom_m": float(np.nanmax(depth)) if n_rows else None,
        "wrapped": _is_wrapped(_version_items(text)),
        "null_value": null,
        "null_values_replaced": replaced,
        "curves": found,
        "curves_missing": [f for f, m in found.items() if m is None],
        "label_curve_found": label_hit is not None,
        "labelled_rows": int(np.count_nonzero(~np.isnan(labels))),
        "warnings": [],
    }
    well = f"well {borehole} ({path})"
    for note in notes:
        _warn(report, note)
    if not n_rows:
        _warn(report, f"{well}: no data rows (the ~ASCII section is empty); nothing to bin")
    null_warning = _null_warning(null, per_value, replaced)
    if null_warning:
        _warn(report, f"{well}: {null_warning}")
    message = _header_mismatch(las, data[:, depth_column], unit)
    if message:
        if config.header_mismatch == HEADER_MISMATCH_ERROR:
            raise InputDataError(f"{message} (data.las.header_mismatch: error)", path=path)
        _warn(report, f"{well}: {message} (data.las.header_mismatch: warn)")
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
    inverse = inverse.reshape(-1)
    keys = [_code_key(v) for v in distinct]
    if codes is not None:
        unknown = [k for k in keys if k not in codes]
        if unknown:
            raise _unknown_codes_error(
                wells, raw, labelled, inverse, keys, unknown, codes, label_curve
            )
        keys = [codes[k] for k in keys]
    names, rank = np.unique(np.asarray(keys, dtype=object), return_inverse=True)
    label_code = np.full(len(raw), -1, dtype=np.int64)
    label_code[labelled] = rank.reshape(-1)[inverse]
    return label_code, names


def _unknown_codes_error(
    wells: Sequence[LasWell],
    raw: np.ndarray,
    labelled: np.ndarray,
    inverse: np.ndarray,
    keys: Sequence[str],
    unknown: Sequence[str],
    codes: Mapping[str, str],
    label_curve: str,
    shown: int = 5,
) -> InputDataError:
    """The error naming the label codes the table lacks, how many rows carry each, and every such
    row as examples (the first `shown` include the first row of each code, in file order)."""
    is_unknown = np.isin(np.asarray(keys, dtype=object), np.asarray(unknown, dtype=object))
    hit = is_unknown[inverse]
    rows = np.flatnonzero(labelled)[hit]  # stacked row numbers, in file order
    code_of = inverse[hit]
    counts = np.bincount(code_of, minlength=len(keys))
    firsts = np.unique(code_of, return_index=True)[1][:shown]
    head = np.zeros(len(rows), dtype=bool)
    head[firsts] = True
    head[np.flatnonzero(~head)[: max(shown - len(firsts), 0)]] = True
    order = np.concatenate([np.flatnonzero(head), np.flatnonzero(~head)])
    rows = rows[order]
    offsets = np.cumsum([0] + [len(w.labels) for w in wells])
    well_of = np.searchsorted(offsets, rows, side="right") - 1
    names = np.asarray([Path(w.path).name for w in wells], dtype=object)
    examples = pd.DataFrame(
        {"file": names[well_of], "data_row": rows - offsets[well_of] + 1, label_curve: raw[rows]}
    )
    carried = ", ".join(f"{k!r}: {int(counts[keys.index(k)]):,}" for k in unknown[:20])
    if len(unknown) > 20:
        carried += f", ... ({len(unknown) - 20} more codes)"
    return InputDataError(
        f"label code(s) {format_list(unknown)} are not in the code table "
        f"(data.las.label_codes; known: {format_list(list(codes), 20)}); rows carrying them: "
        f"{carried} ({len(rows):,} rows in all)",
        path=wells[int(well_of[0])].path,
        column=label_curve,
        examples=examples,
    )


# --------------------------------------------------------------------------------------------
# All wells -> RawRows


def _warn_same_wells(wells: Sequence[LasWell], fields: Sequence[str] = ("well", "uwi")) -> None:
    """Warn (log, and in each well's report) when files give the same ~Well WELL or UWI: the same
    well under two file names would be two boreholes (and could sit in train and test)."""
    shared: dict[tuple[int, ...], list[str]] = {}
    for name in fields:
        groups: dict[str, list[int]] = {}
        for i, well in enumerate(wells):
            value = " ".join(str(well.report.get(name) or "").split()).upper()
            if value:
                groups.setdefault(value, []).append(i)
        for members in groups.values():
            if len(members) > 1:
                value = str(wells[members[0]].report[name]).strip()
                shared.setdefault(tuple(members), []).append(f"{name.upper()} {value!r}")
    for members, values in shared.items():
        files = [wells[i].path for i in members]
        ids = [wells[i].borehole_id for i in members]
        message = (
            f"the same well under {len(files)} file names? {format_list(files)} give the same "
            f"~Well {' and '.join(values)}; they are read as separate boreholes {format_list(ids)}"
        )
        logger.warning("%s", message)
        for i in members:
            wells[i].report.setdefault("warnings", []).append(message)


def _warn_absent_features(wells: Sequence[LasWell], config: LasConfig) -> None:
    """Warn when a configured feature is in none of the files: its column is missing in every
    row (the models then cannot use it), most likely a mnemonic the files spell otherwise."""
    for feature, mnemonics in config.curves:
        if all(w.report["curves"].get(feature) is None for w in wells):
            logger.warning(
                "feature %s: none of its mnemonics %s is in any of the %d files; the feature is "
                "missing in every row (add the files' mnemonic to data.las.curves.%s, or drop it)",
                feature,
                format_list(mnemonics),
                len(wells),
                feature,
            )


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
    _warn_same_wells(wells)
    _warn_absent_features(wells, config)
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
