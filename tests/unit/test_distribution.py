"""The class-imbalance report on hand-made counts and on the investigation's class counts."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from lithoflow.splits.distribution import (
    TABLE_COLUMNS,
    class_counts,
    distribution_table,
    imbalance_report,
    imbalance_summary,
)
from lithoflow.splits.distribution_figure import plot_distribution
from tests.support.config import figure_style


def test_class_counts_sorted_by_count_then_name():
    labels = pd.Series(["b", "a", "c", "c", "b", "a", "c"])
    counts = class_counts(labels)
    assert counts.index.tolist() == ["c", "a", "b"]
    assert counts.tolist() == [3, 2, 2]


def test_distribution_table_hand_values():
    table = distribution_table(pd.Series({"x": 1, "big": 6, "mid": 3}))
    assert tuple(table.columns) == TABLE_COLUMNS
    assert table["name"].tolist() == ["big", "mid", "x"]
    assert table["rank"].tolist() == [1, 2, 3]
    assert table["percent"].tolist() == pytest.approx([60.0, 30.0, 10.0])
    assert table["cumulative_percent"].tolist() == pytest.approx([60.0, 90.0, 100.0])


def test_imbalance_summary_hand_values():
    # 1000 rows: 90%, 9.5%, 0.4%, 0.1% (0.1% is not under 0.1%).
    summary = imbalance_summary(pd.Series({"a": 900, "b": 95, "c": 4, "d": 1}), top_n=2)
    assert summary["total_rows"] == 1000
    assert summary["n_classes"] == 4
    assert summary["largest_class"] == {"name": "a", "count": 900}
    assert summary["smallest_classes"] == {"names": ["d"], "count": 1}
    assert summary["max_min_ratio"] == 900
    assert summary["median_class_size"] == pytest.approx(49.5)
    assert summary["mean_class_size"] == pytest.approx(250.0)
    assert summary["top_2_cumulative_percent"] == pytest.approx(99.5)
    assert summary["single_row_classes"] == ["d"]
    assert summary["n_single_row_classes"] == 1
    assert summary["under_1_percent"] == {
        "threshold_percent": 1.0,
        "n_classes": 2,
        "percent_of_classes": 50.0,
        "rows": 5,
        "percent_of_rows": pytest.approx(0.5),
    }
    assert summary["under_0.1_percent"]["n_classes"] == 0
    assert summary["under_0.1_percent"]["rows"] == 0


def test_report_works_for_groups_and_empty_input():
    table, summary = imbalance_report(pd.Series({"Carbonate": 7, "Clay/Mud": 3}), level="group")
    assert summary["level"] == "group"
    assert summary["max_min_ratio"] == pytest.approx(7 / 3)
    assert table["name"].tolist() == ["Carbonate", "Clay/Mud"]
    empty = imbalance_summary(pd.Series(dtype="int64"))
    assert empty == {"total_rows": 0, "n_classes": 0}


def test_reproduces_the_investigations_figures(packaged_data):
    reference = pd.read_csv(packaged_data / "lithology_class_distribution.csv")
    counts = pd.Series(reference["Count"].to_numpy(), index=reference["Lithology"])
    table, summary = imbalance_report(counts, level="lithology")
    assert summary["total_rows"] == 238_506
    assert summary["n_classes"] == 139
    assert summary["max_min_ratio"] == 49_778
    assert summary["n_single_row_classes"] == 5
    assert summary["median_class_size"] == 147
    assert summary["mean_class_size"] == pytest.approx(1716, abs=0.5)
    assert summary["top_20_cumulative_percent"] == pytest.approx(85.53, abs=0.005)
    assert summary["under_1_percent"]["n_classes"] == 119
    assert summary["under_1_percent"]["rows"] == 34_514
    assert summary["under_1_percent"]["percent_of_rows"] == pytest.approx(14.47, abs=0.005)
    assert summary["under_0.1_percent"]["n_classes"] == 78
    assert summary["under_0.1_percent"]["rows"] == 3_622
    assert summary["entropy_nats"] == pytest.approx(3.119, abs=5e-4)
    assert summary["entropy_bits"] == pytest.approx(4.50, abs=5e-3)
    assert table["rank"].tolist() == reference["Rank"].tolist()
    assert table["percent"].to_numpy() == pytest.approx(reference["Percentage"].to_numpy())


def test_distribution_figure_draws_the_table():
    # 40 classes of 1, 11, ..., 391 rows (7,840 in all), handed over out of rank order.
    counts = pd.Series({f"class {i}": 10 * i + 1 for i in range(40)})
    table = distribution_table(counts).sample(frac=1, random_state=0)
    fig = plot_distribution(table, "Rows per lithology", figure_style(dpi=40))
    try:
        (ax,) = fig.axes
        assert ax.get_title() == "Rows per lithology: 40 classes, 7,840 rows, max/min 391:1"
        assert ax.get_ylabel() == "rows (log scale)"
        assert ax.get_yscale() == "log"
        # One bar per class, largest first, as tall as its count, labelled with its name.
        largest_first = list(range(39, -1, -1))
        assert [t.get_text() for t in ax.get_xticklabels()] == [f"class {i}" for i in largest_first]
        assert [bar.get_height() for bar in ax.patches] == [10 * i + 1 for i in largest_first]
        assert [bar.get_x() + bar.get_width() / 2 for bar in ax.patches] == pytest.approx(range(40))
        # The 1% and 0.1% levels of the 7,840 rows, each with its note.
        assert [line.get_ydata()[0] for line in ax.lines] == pytest.approx([78.4, 7.84])
        assert [line.get_linestyle() for line in ax.lines] == ["--", ":"]
        assert [text.get_text() for text in ax.texts] == ["1% of rows", "0.1% of rows"]
    finally:
        plt.close(fig)
