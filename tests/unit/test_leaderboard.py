"""The leaderboard: searched, hand-set and ensemble runs side by side, ranked with intervals."""

from __future__ import annotations

from typing import Any

from lithoflow.report.leaderboard import COLUMNS, leaderboard_frame


def _metrics(accuracy: tuple[float, float, float], **extra: Any) -> dict[str, Any]:
    mean, low, high = accuracy
    interval = {"mean": mean, "std": 0.01, "low": low, "high": high, "n": 3, "method": "t"}
    return {
        "model": "gradient_boosting",
        "spec": {"target": "lithology", "input": "raw", "missing": "native"},
        "n_units": 3,
        "n_classes": 5,
        "intervals": {"balanced_accuracy": interval, "accuracy": interval},
        "balanced_accuracy": mean,
        "accuracy": mean,
        **extra,
    }


def test_searched_and_hand_set_runs_side_by_side():
    search = {"budget": {"trials": 7, "folds": 5}, "metric": "penalty_score", "chosen": {}}
    nested = {"nested": True, "folds": [{"budget": {"trials": 3, "folds": 3}}]}
    frame = leaderboard_frame(
        {
            "hand": _metrics((0.70, 0.68, 0.72)),
            "searched": _metrics((0.71, 0.69, 0.73), search=search),
            "nested": _metrics((0.60, 0.58, 0.62), search=nested, evaluation="group_kfold"),
            "ensemble": _metrics((0.72, 0.70, 0.74), members=["hand", "searched"]),
        }
    )
    assert tuple(frame.columns) == COLUMNS
    settings = dict(zip(frame["run"], frame["settings"], strict=True))
    assert settings == {
        "ensemble": "ensemble of hand, searched",
        "searched": "searched (7 trials x 5 folds, penalty_score)",
        "hand": "hand-set",
        "nested": "searched in each outer fold (3 trials x 3 folds)",
    }
    verdicts = dict(zip(frame["run"], frame["distinguishable_from_best"], strict=True))
    # overlapping intervals: no distinguishable difference; separate ones: yes
    assert verdicts == {"ensemble": "best", "searched": "no", "hand": "no", "nested": "yes"}
