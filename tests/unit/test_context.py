"""Depth context features: neighbours, gradients and windows never cross a gap or a borehole."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lithoflow.features.along_depth import depth_order, window_bounds
from lithoflow.features.context import ContextConfig, context_features

CONFIG = ContextConfig(
    neighbours=1, gradients=True, windows_m=(0.6,), include_depth=True, max_gap_m=0.3
)


def hand_made() -> pd.DataFrame:
    """Borehole A: 0.0, 0.2, 0.4, then a gap, 1.0, 1.2; borehole B: 0.0, 0.2. Rows shuffled."""
    frame = pd.DataFrame(
        {
            "borehole_id": ["A", "A", "A", "A", "A", "B", "B"],
            "depth_bin_m": [0.0, 0.2, 0.4, 1.0, 1.2, 0.0, 0.2],
            "GR": [1.0, 2.0, 4.0, 100.0, 110.0, 50.0, 60.0],
            "label": ["x", "y", "z", "x", "y", "z", "x"],
        }
    )
    return frame.iloc[[4, 0, 6, 2, 5, 1, 3]]


def test_neighbours_stop_at_gaps_and_borehole_edges() -> None:
    frame = hand_made()
    out = context_features(frame, ["GR"], CONFIG)
    assert list(out.index) == list(frame.index)
    by = pd.concat([frame, out], axis=1).set_index(["borehole_id", "depth_bin_m"])
    above, below = by["GR_above1"], by["GR_below1"]
    assert np.isnan(above[("A", 0.0)]) and below[("A", 0.0)] == 2.0
    assert above[("A", 0.4)] == 2.0 and np.isnan(below[("A", 0.4)])  # gap below 0.4
    assert np.isnan(above[("A", 1.0)]) and below[("A", 1.0)] == 110.0  # gap above 1.0
    assert np.isnan(above[("B", 0.0)]) and np.isnan(below[("B", 0.2)])  # borehole edges
    assert by["GR_grad_above1"][("A", 0.2)] == 1.0
    assert by["depth_m"][("A", 1.2)] == 1.2


def test_windows_hold_only_rows_of_the_same_segment() -> None:
    frame = hand_made()
    out = pd.concat([frame, context_features(frame, ["GR"], CONFIG)], axis=1)
    by = out.set_index(["borehole_id", "depth_bin_m"])
    # ±0.3 m around A 0.2 holds 0.0, 0.2, 0.4 (values 1, 2, 4)
    assert by["GR_mean0.6m"][("A", 0.2)] == pytest.approx(7 / 3)
    assert by["GR_std0.6m"][("A", 0.2)] == pytest.approx(np.std([1.0, 2.0, 4.0]))
    # A 0.4 may not reach A 1.0 (gap) and A 1.0 not B
    assert by["GR_mean0.6m"][("A", 0.4)] == pytest.approx(3.0)
    assert by["GR_mean0.6m"][("A", 1.0)] == pytest.approx(105.0)
    assert by["GR_mean0.6m"][("B", 0.0)] == pytest.approx(55.0)


def test_labels_are_never_read() -> None:
    frame = hand_made()
    relabelled = frame.assign(label=["q"] * len(frame))
    pd.testing.assert_frame_equal(
        context_features(frame, ["GR"], CONFIG), context_features(relabelled, ["GR"], CONFIG)
    )
    assert "label" not in context_features(frame.drop(columns="label"), ["GR"], CONFIG)


def test_missing_inputs_stay_missing_and_windows_skip_them() -> None:
    frame = hand_made().sort_index()
    frame.loc[1, "GR"] = np.nan
    out = context_features(frame, ["GR"], CONFIG)
    assert np.isnan(out.loc[0, "GR_below1"])
    assert out.loc[0, "GR_mean0.6m"] == pytest.approx(1.0)  # only the row itself remains


def test_column_names_match_the_output() -> None:
    frame = hand_made()
    config = ContextConfig(2, False, (0.4, 2.0), False, 0.3)
    out = context_features(frame, ["GR"], config)
    assert list(out.columns) == config.column_names(["GR"])
    assert "GR_above2" in out and "GR_mean2m" in out and "depth_m" not in out


def test_repeated_depths_are_refused() -> None:
    with pytest.raises(ValueError, match="same depth"):
        depth_order(pd.Series(["A", "A"]), np.array([1.0, 1.0]), 0.5)


def test_window_bounds_include_rows_exactly_at_the_edge() -> None:
    along = depth_order(pd.Series(["A"] * 4), np.array([0.0, 0.2, 0.4, 0.6]), 0.3)
    lo, hi = window_bounds(along, 0.2)
    assert list(lo) == [0, 0, 1, 2] and list(hi) == [2, 3, 4, 4]


def test_context_file_round_trip(tmp_path) -> None:
    from lithoflow.core.dataset import write_dataset
    from lithoflow.features.context import build_context_file, join_context, read_context_table

    frame = hand_made().assign(exp="1", site="2", hole="A")
    source = tmp_path / "features.parquet"
    write_dataset(source, frame, ["GR"])
    names = build_context_file(source, tmp_path / "ctx.parquet", "raw", CONFIG)
    table, columns = read_context_table(tmp_path / "ctx.parquet")
    assert columns == names == CONFIG.column_names(["GR"])
    values = join_context(frame, table, columns, "ctx")
    expected = context_features(frame, ["GR"], CONFIG).to_numpy()
    np.testing.assert_array_equal(values, expected)
    from lithoflow.core.errors import InputDataError

    stray = frame.assign(depth_bin_m=frame["depth_bin_m"] + 0.05)
    with pytest.raises(InputDataError, match="no depth context row"):
        join_context(stray, table, columns, "ctx")


def test_borehole_normalisation_removes_each_wells_baseline() -> None:
    frame = pd.DataFrame(
        {
            "borehole_id": ["A"] * 5 + ["B"] * 5,
            "depth_bin_m": [0.0, 0.2, 0.4, 0.6, 0.8] * 2,
            "GR": [10.0, 20.0, 30.0, 40.0, 50.0, 110.0, 120.0, 130.0, 140.0, np.nan],
        }
    )
    config = ContextConfig(0, False, (), False, 0.3, borehole_normalised=("GR",))
    out = context_features(frame, ["GR"], config)
    assert list(out.columns) == ["GR_borehole_z"]
    a = out["GR_borehole_z"].to_numpy()[:5]
    assert a.tolist() == pytest.approx([-1.0, -0.5, 0.0, 0.5, 1.0])  # median 30, IQR 20
    b = out["GR_borehole_z"].to_numpy()[5:]
    assert b[:4].tolist() == pytest.approx([-1.0, -1 / 3, 1 / 3, 1.0]) and np.isnan(b[4])


def test_context_columns_limit_the_inputs_and_an_unknown_one_is_refused(tmp_path) -> None:
    import dataclasses

    from lithoflow.core.dataset import write_dataset
    from lithoflow.core.errors import InputDataError
    from lithoflow.features.context import build_context_file

    frame = hand_made().assign(exp="1", site="2", hole="A", X_LOC=7.0)
    source = tmp_path / "features.parquet"
    write_dataset(source, frame, ["GR", "X_LOC"])
    everything = build_context_file(source, tmp_path / "all.parquet", "raw", CONFIG)
    assert everything == CONFIG.column_names(["GR", "X_LOC"])
    only_gr = dataclasses.replace(CONFIG, columns=("GR",))
    names = build_context_file(source, tmp_path / "gr.parquet", "raw", only_gr)
    assert names == CONFIG.column_names(["GR"])
    assert not any(name.startswith("X_LOC") for name in names)
    unknown = dataclasses.replace(CONFIG, columns=("GR", "PEF"))
    with pytest.raises(InputDataError, match=r"PEF.*not among the inputs") as error:
        build_context_file(source, tmp_path / "bad.parquet", "raw", unknown)
    assert "features.parquet" in str(error.value)
    assert not (tmp_path / "bad.parquet").exists()
    section = {"neighbours": 1, "gradients": True, "windows_m": [0.6], "include_depth": True}
    assert ContextConfig.from_config({**section, "max_gap_m": 0.3}).columns is None
    assert ContextConfig.from_config({**section, "max_gap_m": 0.3, "columns": ["GR"]}).columns == (
        "GR",
    )
