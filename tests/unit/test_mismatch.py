"""The side-by-side mismatch comparison of split methods on a small hand-made split."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from lithoflow.core.figure_style import save_figure
from lithoflow.splits.methods import PARTS, SplitConfig, assign_boreholes, split_frame
from lithoflow.splits.mismatch import (
    TABLE_COLUMNS,
    compare_methods,
    mismatch_ratio,
    worst_mismatches,
)
from lithoflow.splits.mismatch_figure import plot_mismatch
from tests.support.boreholes import expand_counts, labels_frame, synthetic_counts
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


def test_mismatch_figure_is_written(tmp_path):
    frame = expand_counts(synthetic_counts(n_boreholes=40, seed=3))
    labels = {}
    for method in ("random", "size_balanced", "entropy_balanced"):
        parts = _parts(
            frame,
            SplitConfig(
                method=method, seed=42, fractions=(0.7, 0.15, 0.15), fraction_tolerance=0.005
            ),
        )
        labels[method] = {p: parts[p]["label"] for p in PARTS}
    groups = {label: label.split("_")[0] for label in frame["label"].unique()}
    table, summary = compare_methods(labels, groups)
    style = figure_style(dpi=40)
    path = tmp_path / "mismatch.png"
    save_figure(plot_mismatch(table, summary, style), path, style)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
