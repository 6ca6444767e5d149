"""Specific exceptions with messages a user can act on."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import pandas as pd


class LithoflowError(Exception):
    """Base class of every error lithoflow raises on purpose."""


class ConfigError(LithoflowError):
    """The configuration is malformed; the message names the key."""


class InputDataError(LithoflowError):
    """An input file is missing, malformed or holds bad values.

    The message names the file, the column and shows example rows.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        column: str | None = None,
        examples: pd.DataFrame | None = None,
        max_examples: int = 5,
    ) -> None:
        parts = []
        if path is not None:
            parts.append(f"file {path}")
        if column is not None:
            parts.append(f"column {column!r}")
        where = f"[{', '.join(parts)}] " if parts else ""
        text = f"{where}{message}"
        if examples is not None and len(examples):
            shown = examples.head(max_examples).to_string(max_colwidth=40)
            text += (
                f"\nExample rows ({min(len(examples), max_examples)} of {len(examples)}):\n{shown}"
            )
        super().__init__(text)
        self.path = path
        self.column = column


class OutputError(LithoflowError):
    """An output file cannot be written (disk full, no permission); the message names it."""


def format_list(items: Iterable[object], limit: int = 10) -> str:
    """A short, readable list for messages: the first `limit` items and how many more."""
    values = [str(item) for item in items]
    head = ", ".join(repr(v) for v in values[:limit])
    if len(values) > limit:
        head += f", ... ({len(values) - limit} more)"
    return head


def close_matches_text(name: str, known: Sequence[str]) -> str:
    """ " (did you mean 'X'?)" for the known names closest to `name`, or "" when none is close."""
    matches = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    if not matches:
        # Case-only typos ("Ms" for "MS") are short strings difflib rates low.
        matches = [k for k in known if k.lower() == name.lower()]
    return f" (did you mean {format_list(matches)}?)" if matches else ""
