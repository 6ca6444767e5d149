"""Fitted scikit-learn models saved without pickle: skops archives, written byte for byte the same
for the same model, loaded trusting nothing beyond skops' safe defaults and the tree predictor of
scikit-learn's histogram gradient boosting (a file needing any other type is refused)."""

from __future__ import annotations

import io
import os
import re
import zipfile
from typing import Any

import skops.io as sio

from lithoflow.core.errors import InputDataError, format_list
from lithoflow.core.io import atomic_path

TRUSTED_TYPES = ("sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",)


# Zip entries get this fixed time, so the same model always gives the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SCHEMA_FILE = "schema.json"
_OBJECT_ID = re.compile(r'"__id__": (\d+)')


def _canonical_archive(dumped: zipfile.ZipFile) -> dict[str, bytes]:
    """The archive's files with skops' object ids (memory addresses, different in every process)
    renumbered 1, 2, ... in order of first appearance, in the schema and in the file names."""
    schema = dumped.read(SCHEMA_FILE).decode()
    ids = [*_OBJECT_ID.findall(schema)]
    ids += [n.removesuffix(".npy") for n in dumped.namelist() if n.endswith(".npy")]
    numbering = {old: str(i) for i, old in enumerate(dict.fromkeys(ids), start=1)}
    if not numbering:
        return {name: dumped.read(name) for name in sorted(dumped.namelist())}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, numbering)) + r")\b")

    def rename(text: str) -> str:
        return pattern.sub(lambda m: numbering[m.group(1)], text)

    files = {SCHEMA_FILE: rename(schema).encode()}
    for name in dumped.namelist():
        if name != SCHEMA_FILE:
            files[rename(name)] = dumped.read(name)
    return dict(sorted(files.items()))


def save_skops(path: str | os.PathLike[str], model: Any) -> None:
    """Write a fitted model (or a dict of them) with skops, atomically, byte-identical for an
    identical model."""
    with zipfile.ZipFile(io.BytesIO(sio.dumps(model))) as dumped:
        files = _canonical_archive(dumped)
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w") as fixed:
        for name, content in files.items():
            entry = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            fixed.writestr(entry, content)


def load_skops(path: str | os.PathLike[str]) -> Any:
    """Load what `save_skops` wrote; any type beyond the trusted ones is refused."""
    untrusted = [t for t in sio.get_untrusted_types(file=path) if t not in TRUSTED_TYPES]
    if untrusted:
        raise InputDataError(
            f"refusing to load types {format_list(untrusted)} from a model file", path=str(path)
        )
    return sio.load(path, trusted=list(TRUSTED_TYPES))
