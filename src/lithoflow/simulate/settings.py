"""Checks of the ``simulate`` config section that its schema cannot express.

Apart from the simulator so that checking a config, done on every workflow start, does not load it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def anomaly_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """Section ``simulate.anomalies``: interval lengths in order."""
    section = (config.get("simulate") or {}).get("anomalies") or {}
    low, high = section.get("min_length_m"), section.get("max_length_m")
    if low is not None and high is not None and low > high:
        yield (
            "config key simulate.anomalies: min_length_m must not exceed max_length_m, "
            f"got {low} > {high}"
        )
