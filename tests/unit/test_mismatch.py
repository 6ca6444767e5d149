"""The side-by-side mismatch comparison of split methods on a small hand-made split."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from lithoflow.splits.methods import PARTS, SplitConfig, assign_boreholes, split_frame
from lithoflow.splits.mismatch import (
    TABLE_COLUMNS,
    compare_methods,
    mismatch_ratio,
    worst_mismatches,
)
from lithoflow.splits.mismatch_figure import plot_mismatch
from tests.support.boreholes import labels_frame
from tests.support.config import figure_style

ROWS = [
    ("h1", "clay", 60),
    ("h1", "ooze", 20),
    ("h2", "clay", 20),
    ("h2", "ooze", 20),
    ("h3", "ooze", 30),
    ("h3", "gabbro", 10),
    ("h4", "basalt", 20),
    ("h4", "clay", 20),
]
GROUPS = {"clay": "Clay/Mud", "ooze": "Other", "gabbro": "Mafic", "basalt": "Mafic"}


def _parts(frame: pd.DataFrame, config: SplitConfig) -> dict[str, pd.DataFrame]:
    return split_frame(frame, assign_boreholes(frame, config))


@pytest.fixture(scope="module")
def compared():
    frame = labels_frame(ROWS)
    splits = {
        "mine": _parts(frame, SplitConfig("explicit", explicit_test=("h3",), explicit_val=("h4",))),
        "other": _parts(
            frame, SplitConfig("explicit", explicit_test=("h4",), explicit_val=("h3",))
        ),
    }
    labels = {m: {p: parts[p]["label"] for p in PARTS} for m, parts in splits.items()}
    boreholes = {m: {p: parts[p]["borehole_id"] for p in PARTS} for m, parts in splits.items()}
    return compare_methods(labels, GROUPS, boreholes, min_test_rows=10, top_n=5)


def test_table_counts_percentages_and_ratio(compared):
    table, _ = compared
    assert tuple(table.columns) == TABLE_COLUMNS
    mine = table[table["method"] == "mine"].set_index("label")
    # train = h1 + h2: clay 80, ooze 40 (120 rows); test = h3: ooze 30, gabbro 10 (40 rows).
    assert mine.loc["ooze", ["train_count", "val_count", "test_count"]].tolist() == [40, 0, 30]
    assert mine.loc["ooze", "train_percent"] == pytest.approx(100 / 3)
    assert mine.loc["ooze", "test_percent"] == pytest.approx(75.0)
    assert mine.loc["ooze", "test_train_ratio"] == pytest.approx(2.25)
    assert mine.loc["gabbro", "test_train_ratio"] == math.inf  # no train rows
    assert mine.loc["clay", "test_train_ratio"] == 0.0
    assert math.isnan(mine.loc["basalt", "test_train_ratio"])  # in neither train nor test
    assert mine.loc["gabbro", "group"] == "Mafic"
    assert mine["total_count"].sum() == 200


def test_summary_worst_mismatches_and_missing_classes(compared):
    _, summary = compared
    mine = summary["methods"]["mine"]
    assert [m["label"] for m in mine["worst_mismatches"]] == ["gabbro", "ooze"]  # >= 10 test rows
    assert mine["worst_mismatches"][0]["fold_change"] == math.inf
    assert mine["classes"]["missing_from_train"] == {"val": {"basalt": 20}, "test": {"gabbro": 10}}
    assert mine["groups"]["n_missing_from_train"] == {"val": 1, "test": 1}
    assert mine["rows"] == {"train": 120, "val": 40, "test": 40}
    assert mine["n_boreholes"] == {"train": 2, "val": 1, "test": 1}
    other = summary["methods"]["other"]
    assert other["classes"]["missing_from_train"]["test"] == {"basalt": 20}
    rows = {row["method"]: row for row in summary["comparison"]}
    assert rows["mine"]["classes_test_missing_from_train"] == 1
    assert rows["mine"]["classes_jsd_bits_test"] == mine["classes"]["jsd_bits_from_whole"]["test"]
    assert rows["mine"]["groups_jsd_bits_max"] == max(
        mine["groups"]["jsd_bits_from_whole"].values()
    )


def test_worst_mismatches_fold_change_both_ways():
    table = pd.DataFrame(
        {
            "label": ["over", "under", "even", "small"],
            "group": "",
            "train_count": [10, 400, 100, 0],
            "val_count": 0,
            "test_count": [200, 100, 100, 5],
            "train_percent": [1.0, 40.0, 10.0, 0.0],
            "test_percent": [20.0, 4.0, 10.0, 0.5],
        }
    )
    table["test_train_ratio"] = mismatch_ratio(table["test_percent"], table["train_percent"])
    worst = worst_mismatches(table, min_test_rows=100, top_n=2)
    assert [w["label"] for w in worst] == ["over", "under"]  # 20x and 10x; "small" < 100 rows
    assert worst[1]["fold_change"] == pytest.approx(10.0)


def test_mismatch_figure_draws_the_comparison(compared):
    table, summary = compared
    fig = plot_mismatch(table, summary, figure_style(dpi=40))
    try:
        classes, groups, missing, shares = fig.axes
        bar_panels = {
            "Divergence of each part from the whole data (classes)": (classes, "classes", PARTS),
            "Divergence of each part from the whole data (groups)": (groups, "groups", PARTS),
            "Classes present in val / test but absent from train": (missing, None, PARTS[1:]),
        }
        for title, (ax, level, parts) in bar_panels.items():
            assert ax.get_title() == title
            assert [t.get_text() for t in ax.get_xticklabels()] == ["mine", "other"]
            assert [t.get_text() for t in ax.get_legend().get_texts()] == list(parts)
            # One group of bars per method (at its tick), one bar per part, as tall as the summary.
            assert [c.get_label() for c in ax.containers] == list(parts)
            for container, part in zip(ax.containers, parts, strict=True):
                centres = [bar.get_x() + bar.get_width() / 2 for bar in container]
                assert [round(x) for x in centres] == [0, 1]
                heights = [bar.get_height() for bar in container]
                if level is None:
                    # Each method's val and test hold one class train lacks (basalt or gabbro).
                    assert heights == [1, 1]
                else:
                    assert heights == [
                        summary["methods"][m][level]["jsd_bits_from_whole"][part]
                        for m in ("mine", "other")
                    ]
        assert classes.get_ylabel() == groups.get_ylabel() == "Jensen-Shannon divergence (bits)"
        assert missing.get_ylabel() == "classes"
        # "mine" tests on h3 (ooze 30, gabbro 10) after training on h1 + h2 (clay 80, ooze 40);
        # "other" tests on h4 (basalt 20, clay 20). A class train lacks sits at 1e-4 %.
        assert shares.get_title() == "Per-class share in test vs train"
        assert shares.get_xlabel() == "share of train rows (%); absent from train plotted at 0.0001"
        assert shares.get_ylabel() == "share of test rows (%)"
        assert (shares.get_xscale(), shares.get_yscale()) == ("log", "log")
        points = {c.get_label(): sorted(map(tuple, c.get_offsets())) for c in shares.collections}
        assert points == {
            "mine": [(1e-4, 25.0), (pytest.approx(100 / 3), 75.0)],
            "other": [(1e-4, 50.0), (pytest.approx(200 / 3), 50.0)],
        }
    finally:
        plt.close(fig)
