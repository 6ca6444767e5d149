"""Logging set-up for rule scripts: progress goes to the rule's log file and to stderr."""

from __future__ import annotations

import logging
import os
import sys


def configure_logging(log_path: str | os.PathLike[str] | None, level: int = logging.INFO) -> None:
    """Send lithoflow's log records to `log_path` (if given) and to stderr."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_path:
        handlers.append(logging.FileHandler(log_path, mode="w"))
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    logging.captureWarnings(True)
