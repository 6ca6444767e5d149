"""Logging set-up for rule scripts (progress goes to the rule's log file and to stderr), and the
runner of a script's `main` that turns a user's error into its message alone."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from lithoflow.core.errors import LithoflowError


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


def run_rule(main: Callable[[Any], None], smk: Any) -> None:
    """Run a rule script's `main` on Snakemake's `smk` object.

    A lithoflow error (bad input or a bad config: `LithoflowError`, whose message says what is
    wrong, where — file, column, rows or key — and what to do) ends the job with that message
    alone, logged once, and exit status 1: no traceback to dig it out of. Any other exception is
    a bug: its traceback is logged (log file and stderr, once each) before the same exit.
    """
    try:
        main(smk)
    except LithoflowError as error:
        logging.getLogger("lithoflow").error("%s", error)
        raise SystemExit(1) from None
    except Exception:
        logging.getLogger("lithoflow").exception(
            "rule %s failed (a bug: please report it)", smk.rule
        )
        raise SystemExit(1) from None
