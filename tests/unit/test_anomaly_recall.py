"""Precision and recall of detected anomaly intervals against known ones (hand-made intervals)."""

from __future__ import annotations

import pandas as pd
import pytest

from lithoflow.core.errors import InputDataError
from lithoflow.validation.anomaly_recall import (
    DETECTED_COLUMNS,
    anomaly_recall,
    check_columns,
    match_intervals,
    overlap_pairs,
)


def detections(*rows: tuple[str, float, float, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(DETECTED_COLUMNS))


def truths(*rows: tuple[str, float, float, str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["borehole_id", "top_m", "bottom_m", "kind", "tables"])
    frame.insert(1, "interval", range(1, len(frame) + 1))
    return frame


def dataset(holes: dict[str, tuple[str, float, float]]) -> pd.DataFrame:
    """Rows at 0.2-m bin centres over [top, bottom) of each borehole, with its split part."""
    frames = []
    for hole, (part, top, bottom) in holes.items():
        centres = [round(top + 0.1 + 0.2 * k, 6) for k in range(round((bottom - top) / 0.2))]
        frames.append(pd.DataFrame({"borehole_id": hole, "depth_bin_m": centres, "split": part}))
    return pd.concat(frames, ignore_index=True)


def test_overlap_needs_shared_depth_in_the_same_borehole() -> None:
    found = detections(
        ("A", 10.0, 11.0, "test"),  # overlaps A 10.5-12
        ("A", 12.0, 13.0, "test"),  # touches A's bottom at 12.0: no overlap
        ("B", 10.0, 11.0, "test"),  # right depth, other borehole
        ("A", 10.6, 10.8, "test"),  # inside A
    )
    truth = truths(("A", 10.5, 12.0, "instrument_fault", "MS"))
    pairs = overlap_pairs(found, truth)
    assert sorted(pairs["first"]) == [0, 3]
    hit, hits = match_intervals(found, truth)
    assert hit.tolist() == [True, False, False, True]
    assert hits.tolist() == [2]


def test_precision_recall_per_split_and_kind() -> None:
    rows = dataset({"A": ("train", 0.0, 50.0), "B": ("test", 0.0, 50.0)})
    found = detections(
        ("A", 10.0, 11.0, "train"),  # finds truth 1
        ("A", 30.0, 31.0, "train"),  # false alarm
        ("B", 5.0, 6.0, "test"),  # finds truth 3
        ("B", 5.8, 7.0, "test"),  # finds truth 3 again
    )
    truth = truths(
        ("A", 10.4, 11.4, "foreign_lithology", "GRA;MS;NGR;RGB"),
        ("A", 40.0, 41.0, "instrument_fault", "NGR"),  # missed
        ("B", 5.5, 6.5, "instrument_fault", "MS"),
        ("B", 20.0, 21.0, "foreign_lithology", "GRA;MS;NGR;RGB"),  # missed
    )
    result = anomaly_recall(found, truth, rows, 0.2)
    overall = result["overall"]
    assert overall["precision"] == pytest.approx(3 / 4)
    assert overall["recall"] == pytest.approx(2 / 4)
    assert result["by_split"]["train"]["precision"] == pytest.approx(1 / 2)
    assert result["by_split"]["train"]["recall"] == pytest.approx(1 / 2)
    assert result["by_split"]["test"]["precision"] == pytest.approx(1.0)
    assert result["by_split"]["test"]["recall"] == pytest.approx(1 / 2)
    assert "val" not in result["by_split"]
    kinds = result["recall_by_kind"]
    assert kinds["foreign_lithology"]["recall"] == pytest.approx(1 / 2)
    assert kinds["instrument_fault"]["by_split"]["test"]["recall"] == pytest.approx(1.0)
    assert kinds["instrument_fault"]["by_split"]["train"]["recall"] == pytest.approx(0.0)
    assert result["recall_by_fault_table"] == {
        "MS": {"recall": 1.0, "true": 1, "true_found": 1},
        "NGR": {"recall": 0.0, "true": 1, "true_found": 0},
    }
    listing = pd.DataFrame(result["true_intervals"])
    assert listing["detections"].tolist() == [1, 0, 2, 0]
    assert listing["split"].tolist() == ["train", "train", "test", "test"]


def test_empty_sets_give_null_not_zero_division() -> None:
    rows = dataset({"A": ("test", 0.0, 10.0)})
    nothing = detections()
    result = anomaly_recall(nothing, truths(), rows, 0.2)
    assert result["overall"]["precision"] is None
    assert result["overall"]["recall"] is None
    assert result["recall_by_kind"] == {}
    some = truths(("A", 1.0, 2.0, "instrument_fault", "RGB"))
    result = anomaly_recall(nothing, some, rows, 0.2)
    assert result["overall"]["precision"] is None
    assert result["overall"]["recall"] == 0.0
    result = anomaly_recall(detections(("A", 5.0, 6.0, "test")), truths(), rows, 0.2)
    assert result["overall"]["precision"] == 0.0
    assert result["overall"]["recall"] is None


def test_true_intervals_without_dataset_rows_are_left_out_of_recall() -> None:
    rows = dataset({"A": ("val", 0.0, 10.0)})
    truth = truths(
        ("A", 2.0, 3.0, "foreign_lithology", "GRA;MS;NGR;RGB"),
        ("A", 20.0, 21.0, "foreign_lithology", "GRA;MS;NGR;RGB"),  # below the data
        ("C", 2.0, 3.0, "instrument_fault", "GRA"),  # a borehole the dataset lacks
    )
    result = anomaly_recall(detections(("A", 2.2, 2.6, "val")), truth, rows, 0.2)
    assert result["overall"]["recall"] == 1.0
    assert result["overall"]["true"] == 1
    assert result["true_not_observable"] == 2
    listing = pd.DataFrame(result["true_intervals"])
    assert listing["observable"].tolist() == [True, False, False]
    assert listing["split"].tolist() == ["val", "val", "absent"]


def test_bad_files_are_named() -> None:
    with pytest.raises(InputDataError, match=r"truth\.csv.*missing columns"):
        check_columns(pd.DataFrame({"borehole_id": ["A"]}), ["borehole_id", "top_m"], "truth.csv")
    inverted = detections(("A", 3.0, 2.0, "test"))
    with pytest.raises(InputDataError, match="bottom_m is not below top_m"):
        check_columns(inverted, DETECTED_COLUMNS, "anomalies.csv")
