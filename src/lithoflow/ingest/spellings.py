"""Spellings that must not split one thing in two: borehole ids and labels as read.

- Surrounding whitespace is removed from ids and labels (``"clay "`` is ``"clay"``).
- A numeric-looking borehole id loses a trailing ``.0`` (``1425.0`` is ``1425``): a spreadsheet
  that turned the ids into floats would otherwise make two boreholes of one, which a split can
  put on both sides.
- Labels that differ only by case (``clay``, ``Clay``) are merged into their most frequent
  spelling (``ingest.label_case: merge``, the default) or kept apart (``keep``); said either way,
  in the log and the table's report.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from lithoflow.ingest.readers import RawRows

log = logging.getLogger(__name__)

_NUMERIC_ID = re.compile(r"[+-]?\d+\.0+")
MERGE = "merge"
KEEP = "keep"
LABEL_CASES = (MERGE, KEEP)


def clean_id(value: str) -> str:
    """A borehole id without surrounding whitespace and without a float's trailing ``.0``."""
    value = value.strip()
    return value.split(".")[0] if _NUMERIC_ID.fullmatch(value) else value


def _remap(
    names: np.ndarray, codes: np.ndarray, new_name: Callable[[str], str]
) -> tuple[np.ndarray, np.ndarray, dict[str, list[str]]]:
    """Names mapped by `new_name` (sorted, unique), the codes remapped (-1 stays -1), and each
    new name's old spellings where there were several or it changed."""
    if len(names) == 0:  # e.g. every label missing: nothing to map
        return names, codes, {}
    mapped = [new_name(str(n)) for n in names]
    if mapped == [str(n) for n in names]:  # nothing changes: no copy of the row codes
        return names, codes, {}
    unique = np.asarray(sorted(set(mapped)), dtype=object)
    position = {name: i for i, name in enumerate(unique)}
    lookup = np.asarray([position[m] for m in mapped], dtype=np.int64)
    new_codes = np.where(codes >= 0, lookup[np.maximum(codes, 0)], -1)
    changed: dict[str, list[str]] = {}
    for old, new in zip(names, mapped, strict=True):
        changed.setdefault(new, []).append(str(old))
    changed = {new: olds for new, olds in changed.items() if len(olds) > 1 or olds[0] != new}
    return unique, new_codes, changed


def normalise_spellings(rows: RawRows, label_case: str) -> tuple[RawRows, dict[str, Any]]:
    """`rows` with ids and labels cleaned (see the module docstring) and what changed."""
    report: dict[str, Any] = {}
    if rows.sources:  # one file per borehole (LAS): ids come from the headers, one per file
        ids, id_codes, id_changes = rows.borehole_ids, rows.borehole_code, {}
    else:
        ids, id_codes, id_changes = _remap(rows.borehole_ids, rows.borehole_code, clean_id)
    if id_changes:
        # each cleaned id keeps the exp/site/hole of its first old spelling
        old_position = {str(name): i for i, name in enumerate(rows.borehole_ids)}
        first_old = {new: olds[0] for new, olds in id_changes.items()}
        keep_index = [old_position[first_old.get(str(name), str(name))] for name in ids]
        rows = replace(
            rows,
            borehole_ids=ids,
            borehole_code=id_codes,
            exp=rows.exp[keep_index],
            site=rows.site[keep_index],
            hole=rows.hole[keep_index],
        )
        report["borehole_ids_cleaned"] = id_changes
        merged = {new: olds for new, olds in id_changes.items() if len(olds) > 1}
        log.warning(
            "%s: borehole ids cleaned (whitespace, a float's .0): %s%s",
            rows.path,
            "; ".join(f"{', '.join(map(repr, o))} -> {n!r}" for n, o in id_changes.items()),
            f" ({len(merged)} merged)" if merged else "",
        )
    labels, label_codes, label_changes = _remap(rows.label_names, rows.label_code, str.strip)
    if label_changes:
        report["labels_stripped"] = label_changes
        log.warning(
            "%s: labels with surrounding whitespace: %s",
            rows.path,
            "; ".join(f"{', '.join(map(repr, o))} -> {n!r}" for n, o in label_changes.items()),
        )
    counts = np.bincount(label_codes[label_codes >= 0], minlength=len(labels))
    by_case: dict[str, list[str]] = {}
    for name in labels:
        by_case.setdefault(name.lower(), []).append(str(name))
    differing = {k: v for k, v in by_case.items() if len(v) > 1}
    if differing:
        position = {name: i for i, name in enumerate(labels)}
        canonical = {}
        for spellings in differing.values():
            # the most frequent spelling, ties to the alphabetically first
            best = sorted(spellings, key=lambda s: (-counts[position[s]], s))[0]
            canonical.update({s: best for s in spellings})
        report["labels_differing_by_case"] = {
            canonical[v[0]]: {s: int(counts[position[s]]) for s in v} for v in differing.values()
        }
        report["label_case"] = label_case
        if label_case == MERGE:
            labels, label_codes, _ = _remap(labels, label_codes, lambda s: canonical.get(s, s))
        log.warning(
            "%s: labels that differ only by case (%s): %s",
            rows.path,
            "merged into the most frequent spelling; ingest.label_case: keep keeps them apart"
            if label_case == MERGE
            else "kept apart (ingest.label_case: keep)",
            "; ".join(", ".join(v) for v in differing.values()),
        )
    if label_changes or differing:
        rows = replace(rows, label_names=labels, label_code=label_codes)
    return rows, report
