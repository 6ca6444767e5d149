"""Where a classifier run's settings came from, read from its metrics.json.

The leaderboard and the model card both say it: set by hand in the config, chosen by a search
(with the search's budget), or an ensemble of other runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def settings_origin(metrics: Mapping[str, Any]) -> str:
    """Where a run's settings came from: the config by hand, a search (its budget), or the
    members of an ensemble."""
    if metrics.get("members"):
        return "ensemble of " + ", ".join(metrics["members"])
    search = metrics.get("search")
    if not search:
        return "hand-set"
    if search.get("nested"):
        budget = search["folds"][0]["budget"]
        return f"searched in each outer fold ({budget['trials']} trials x {budget['folds']} folds)"
    budget = search["budget"]
    return f"searched ({budget['trials']} trials x {budget['folds']} folds, {search['metric']})"
