"""The leaderboard: searched, hand-set and ensemble runs side by side, ranked with intervals."""

from __future__ import annotations

from typing import Any

from lithoflow.report.leaderboard import COLUMNS, leaderboard_frame
from lithoflow.report.plan import SummaryPlan
from lithoflow.report.sections.leaderboard import section
from lithoflow.report.tracing import ReportInputs, Tracer


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
    # overlapping intervals: no distinguishable difference; the cross-validated run is scored on
    # other boreholes, so it is ranked on its own
    assert verdicts == {"ensemble": "best", "searched": "no", "hand": "no", "nested": "best"}


def test_runs_scored_on_different_boreholes_are_not_ranked_together():
    frame = leaderboard_frame(
        {
            "test_a": _metrics((0.70, 0.68, 0.72)),
            "test_b": _metrics((0.60, 0.58, 0.62)),
            "cv_all": _metrics((0.90, 0.88, 0.92), evaluation="group_kfold"),
            "cv_pool": _metrics(
                (0.50, 0.40, 0.60),
                evaluation="group_kfold",
                spec={"target": "lithology", "split": "explicit", "cv_pool": "train_val"},
            ),
        }
    )
    rows = frame.set_index("run")
    assert rows.loc["cv_all", "scored_on"] == "out of fold, every borehole"
    assert rows.loc["cv_pool", "scored_on"] == (
        "out of fold, train and val boreholes of split explicit"
    )
    # each cross-validated run is best of its own group; the split runs are ranked together
    assert rows["rank"].to_dict() == {"cv_all": 1, "cv_pool": 1, "test_a": 1, "test_b": 2}
    assert rows.loc["test_b", "distinguishable_from_best"] == "yes"
    assert rows.loc["cv_pool", "distinguishable_from_best"] == "best"


def test_the_summary_section_states_the_leaderboard_verdicts_per_group():
    runs = {
        "best": _metrics((0.80, 0.78, 0.82)),
        "close": _metrics((0.79, 0.77, 0.81)),
        "weak": _metrics((0.60, 0.58, 0.62)),
        "cv": _metrics((0.90, 0.88, 0.92), evaluation="group_kfold"),
    }
    for metrics in runs.values():
        metrics["spec"] = {**metrics["spec"], "model": "gradient_boosting", "split": "s"}
    config = {"classifiers": {"runs": {run: {} for run in runs}}}
    inputs = ReportInputs({"config": config, **{f"metrics:{r}": m for r, m in runs.items()}})
    text = "\n".join(section(Tracer(inputs), SummaryPlan()))
    # the cross-validated run has a group of its own, after the test-borehole group
    assert text.index("scored on the out of fold, every borehole") < text.index(
        "scored on the test boreholes of split s"
    )
    assert (
        "Best lithology run on the test boreholes of split s by balanced accuracy: `best`." in text
    )
    assert "Its interval lies above those of `weak`." in text
    assert "No distinguishable difference from `close`" in text
    assert "`cv`." not in text.split("test boreholes of split s")[1]
