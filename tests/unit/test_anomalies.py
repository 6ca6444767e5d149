"""Anomaly intervals on hand-made error series: merging, gaps, borehole boundaries, edges,
thresholds and feature attribution."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lithoflow.core.errors import InputDataError
from lithoflow.validation.anomalies import (
    INTERVAL_COLUMNS,
    AnomalyConfig,
    detect_anomalies,
    interval_of_rows,
    merge_flagged,
    training_threshold,
)
from tests.support.config import figure_style

BIN = 0.2


def config(**overrides) -> AnomalyConfig:
    settings = {"quantile": 0.5, "max_gap_m": 0.4, "min_rows": 1, "top_boreholes": 2}
    return AnomalyConfig(**{**settings, **overrides})


def merged(flags: str, max_gap_m: float = 0.4, holes: str | None = None) -> list[tuple]:
    """Intervals of a flag string ("1" flagged, "0" not) along one or more boreholes.

    `holes` gives each row's borehole letter (default all "A"); depths are bin centres 0.1, 0.3, ...
    restarting in each borehole.
    """
    holes = holes or "A" * len(flags)
    depths, counter = [], {}
    for hole in holes:
        counter[hole] = counter.get(hole, -1) + 1
        depths.append(round(BIN / 2 + counter[hole] * BIN, 6))
    table = merge_flagged(
        np.array(list(holes), dtype=object),
        np.array(depths),
        np.array([c == "1" for c in flags]),
        BIN,
        max_gap_m,
    )
    return [
        (r.borehole_id, r.start, r.stop, round(r.top_m, 6), round(r.bottom_m, 6), r.n_flagged)
        for r in table.itertuples()
    ]


def test_gap_at_or_below_tolerance_merges_and_above_splits():
    # max 0.4 m: two unflagged 0.2-m bins (0.4 m) are bridged, three (0.6 m) are not.
    assert merged("1001") == [("A", 0, 3, 0.0, 0.8, 2)]
    assert merged("10001") == [("A", 0, 0, 0.0, 0.2, 1), ("A", 4, 4, 0.8, 1.0, 1)]
    assert merged("101", max_gap_m=0.0) == [("A", 0, 0, 0.0, 0.2, 1), ("A", 2, 2, 0.4, 0.6, 1)]
    assert merged("11", max_gap_m=0.0) == [("A", 0, 1, 0.0, 0.4, 2)]


def test_intervals_at_the_edges_of_the_series():
    assert merged("1100011") == [("A", 0, 1, 0.0, 0.4, 2), ("A", 5, 6, 1.0, 1.4, 2)]
    assert merged("1") == [("A", 0, 0, 0.0, 0.2, 1)]
    assert merged("0000") == []


def test_intervals_never_cross_a_borehole_boundary():
    # The last bin of A and the first of B are adjacent rows, but in different boreholes.
    assert merged("0011", holes="AABB") == [("B", 2, 3, 0.0, 0.4, 2)]
    assert merged("0110", holes="AABB") == [("A", 1, 1, 0.2, 0.4, 1), ("B", 2, 2, 0.0, 0.2, 1)]


def test_missing_bins_count_as_gap_metres():
    table = merge_flagged(
        np.array(["A", "A"], dtype=object), np.array([0.1, 5.1]), np.array([True, True]), BIN, 0.4
    )
    assert len(table) == 2  # 4.8 m without data between them


def test_interval_of_rows():
    owner = interval_of_rows(8, np.array([1, 5]), np.array([3, 5]))
    assert owner.tolist() == [-1, 0, 0, 0, -1, 1, -1, -1]


def test_threshold_is_a_quantile_of_training_rows_only():
    errors = pd.Series([1.0, 2.0, 3.0, 100.0])
    split = pd.Series(["train", "train", "train", "test"])
    assert training_threshold(errors, split, 0.5) == pytest.approx(2.0)
    with pytest.raises(InputDataError, match="no row of split part 'train'"):
        training_threshold(errors, pd.Series(["test"] * 4), 0.5)


def error_frame(error: list[float], holes: str, splits: str, ms_share: list[float]) -> pd.DataFrame:
    """Rows with the given errors; each row's squared error splits between MS (ms_share) and
    GRA (the rest)."""
    rows = []
    counter: dict[str, int] = {}
    for e, hole, part, share in zip(error, holes, splits, ms_share, strict=True):
        counter[hole] = counter.get(hole, -1) + 1
        rows.append(
            {
                "borehole_id": hole,
                "depth_bin_m": BIN / 2 + counter[hole] * BIN,
                "label": "ooze" if e < 1 else "basalt",
                "split": {"t": "train", "s": "test"}[part],
                "recon_mae_scaled": e,
                "abs_err_scaled_GRA": np.sqrt(e * (1 - share)),
                "abs_err_scaled_MS": np.sqrt(e * share),
            }
        )
    return pd.DataFrame(rows)


def test_detect_anomalies_end_to_end_with_feature_attribution():
    # Training errors 0.1 everywhere but three spikes: the median (threshold) is 0.1.
    errors = [0.1, 0.1, 2.0, 3.0, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 4.0, 4.0, 4.0, 0.1]
    holes = "AAAAAAAAAABBBB"
    splits = "tttttttttttsss"
    ms_share = [0.5, 0.5, 0.9, 0.7, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.2, 0.2, 0.2, 0.5]
    frame = error_frame(errors, holes, splits, ms_share).iloc[::-1]  # row order must not matter
    result = detect_anomalies(frame, ["GRA", "MS"], BIN, config(), "errors.parquet")
    assert result.threshold == pytest.approx(0.1)
    table = result.intervals
    assert list(table.columns) == [*INTERVAL_COLUMNS, "sq_err_GRA", "sq_err_MS"]
    assert table["borehole_id"].tolist() == ["A", "B"]
    a, b = table.iloc[0], table.iloc[1]
    assert (a["top_m"], a["bottom_m"], a["length_m"]) == pytest.approx((0.4, 0.8, 0.4))
    assert a["n_rows"] == 2 and a["n_flagged"] == 2
    assert a["mean_error"] == pytest.approx(2.5)
    assert a["max_error"] == pytest.approx(3.0)
    assert a["dominant_label"] == "basalt"
    # MS: (2*0.9 + 3*0.7)/2 = 1.95 of 2.5 mean squared error in total.
    assert a["sq_err_MS"] == pytest.approx(1.95)
    assert a["top_feature"] == "MS"
    assert a["top_feature_share"] == pytest.approx(1.95 / 2.5)
    assert a["drivers"] == "MS 78%, GRA 22%"
    assert b["top_feature"] == "GRA"
    assert (b["split"], b["n_rows"], b["interval"]) == ("train", 3, 1)
    assert result.top_boreholes == ["B", "A"]  # 0.6 m of anomaly before 0.4 m
    summary = result.summary()
    assert summary["n_intervals"] == 2
    assert summary["flagged_by_split"]["test"] == {"rows": 3, "flagged": 2, "share": 2 / 3}
    assert summary["intervals_by_top_feature"] == {"MS": 1, "GRA": 1}


def test_gap_rows_inside_an_interval_are_counted_and_min_rows_drops_short_ones():
    errors = [5.0, 0.1, 5.0, 0.1, 0.1, 0.1, 0.1, 5.0, 0.1, 0.1]
    frame = error_frame(errors, "A" * 10, "t" * 10, [0.5] * 10)
    result = detect_anomalies(frame, ["GRA", "MS"], BIN, config(min_rows=2))
    (interval,) = result.intervals.itertuples()
    assert (interval.n_rows, interval.n_flagged) == (3, 2)  # the gap row is inside
    assert interval.mean_error == pytest.approx((5.0 + 0.1 + 5.0) / 3)
    assert result.dropped == {"intervals": 1, "flagged_rows": 1}


def test_no_anomaly_gives_an_empty_table_with_the_columns():
    frame = error_frame([0.1] * 4, "AAAA", "tttt", [0.5] * 4)
    result = detect_anomalies(frame, ["GRA", "MS"], BIN, config())
    assert result.intervals.empty
    assert list(result.intervals.columns) == [*INTERVAL_COLUMNS, "sq_err_GRA", "sq_err_MS"]
    assert result.top_boreholes == []
    assert result.summary()["n_intervals"] == 0


def test_bad_input_names_the_column():
    frame = error_frame([0.1, 0.2], "AA", "tt", [0.5, 0.5])
    with pytest.raises(InputDataError, match="abs_err_scaled_NGR"):
        detect_anomalies(frame, ["GRA", "MS", "NGR"], BIN, config(), "errors.parquet")
    frame.loc[1, "recon_mae_scaled"] = np.nan
    with pytest.raises(InputDataError, match="recon_mae_scaled"):
        detect_anomalies(frame, ["GRA", "MS"], BIN, config())


def test_figure_has_one_block_of_tracks_per_borehole():
    from lithoflow.validation.anomalies_figure import (
        anomaly_log_figure,
        break_at_gaps,
        label_runs,
    )

    errors = [0.1, 0.1, 2.0, 3.0, 0.1, 0.1, 4.0, 4.0, 0.1, 0.1]
    frame = error_frame(errors, "AAAAABBBBB", "tttttttttt", [0.5] * 10)
    for name in ("GRA", "MS"):
        frame[f"true_{name}"] = np.arange(10.0)
        frame[f"pred_{name}"] = np.arange(10.0) + 0.5
    result = detect_anomalies(frame, ["GRA", "MS"], BIN, config())
    figure = anomaly_log_figure(
        frame, result.intervals, ["A", "B"], ["GRA", "MS"], result.threshold, BIN, figure_style()
    )
    assert len(figure.axes) == 2 * (2 + 2)  # two boreholes x (two features, error, labels)
    low, high = figure.axes[0].get_ylim()
    assert low > high  # depth increases downward
    empty = anomaly_log_figure(
        frame, result.intervals.iloc[:0], [], ["GRA"], 1.0, BIN, figure_style()
    )
    assert "No anomaly interval" in empty.axes[0].texts[0].get_text()
    runs = label_runs(np.array([0.1, 0.3, 0.7]), np.array(["a", "a", "a"]), BIN)
    assert runs == [(0.0, pytest.approx(0.4), "a"), (pytest.approx(0.6), pytest.approx(0.8), "a")]
    depths, values = break_at_gaps(np.array([0.1, 0.3, 2.1]), np.array([1.0, 2.0, 3.0]), BIN)
    assert np.isnan(depths[2]) and np.isnan(values[2]) and len(depths) == 4
