"""Binning rules: float bin keys, half-to-even rounding, means, modes with ties, raw-row counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench.ingest_reference import reference_bin_frame
from lithoflow.ingest import binning
from lithoflow.ingest.binning import (
    bin_centres,
    bin_frame,
    bin_index,
    bin_rows,
    centres_from_index,
    group_modes,
    group_rows,
)


def _frame(rows: list[tuple[str, float, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["borehole_id", "depth_m", "label", "value"])


def _bin(frame: pd.DataFrame, bin_size_m: float = 0.2) -> pd.DataFrame:
    return bin_frame(
        frame,
        borehole="borehole_id",
        depth="depth_m",
        label="label",
        features=["value"],
        bin_size_m=bin_size_m,
    )


@pytest.mark.parametrize(
    ("depth_m", "expected"),
    [
        (0.1, 0.0),  # 0.1 / 0.2 = 0.5 exactly: half to even -> 0
        (0.3, 0.2),  # 0.3 / 0.2 = 1.4999999999999998 -> 1
        (0.5, 0.4),  # 2.5 -> 2 (even)
        (0.7, 0.6000000000000001),  # 3.4999999999999996 -> 3
        (0.9, 0.8),  # 4.5 -> 4 (even)
        (1.1, 1.2000000000000002),  # 5.5 -> 6 (even)
        (0.6, 0.6000000000000001),
        (0.61, 0.6000000000000001),
        (3.0, 3.0),
        (-0.3, -0.2),
        (-0.5, -0.4),  # -2.5 -> -2 (even)
        (-0.7, -0.6000000000000001),
    ],
)
def test_bin_keys_are_numpys_round_half_even_floats(depth_m: float, expected: float) -> None:
    got = bin_centres(np.array([depth_m]), 0.2)[0]
    assert got == expected
    assert got == np.round(depth_m / 0.2) * 0.2
    assert centres_from_index(bin_index(np.array([depth_m]), 0.2), 0.2)[0] == expected


def test_keys_from_bin_numbers_equal_the_formula_bit_for_bit() -> None:
    rng = np.random.default_rng(1)
    depth_m = np.concatenate(
        [rng.uniform(-50, 2000, 50_000).round(3), np.arange(-100, 10_000) * 0.1]
    )
    for bin_size_m in (0.2, 0.5, 0.05, 1.0):
        formula = np.round(depth_m / bin_size_m) * bin_size_m
        from_index = centres_from_index(bin_index(depth_m, bin_size_m), bin_size_m)
        nonzero = formula != 0
        # identical floats (only the sign of a zero key differs: -0.0 becomes 0.0)
        assert np.array_equal(from_index[nonzero].view(np.int64), formula[nonzero].view(np.int64))
        assert np.all(from_index[~nonzero] == 0.0)
        assert not np.signbit(from_index[~nonzero]).any()


def test_mean_count_and_boundaries() -> None:
    frame = _frame(
        [
            ("A", 0.05, "clay", 1.0),
            ("A", 0.10, "clay", 2.0),  # half-way -> bin 0.0
            ("A", 0.30, "clay", 4.0),  # just below half-way -> bin 0.2
            ("A", 0.11, "clay", 8.0),  # -> bin 0.2
            ("A", 0.50, "clay", 16.0),  # half-way -> bin 0.4
        ]
    )
    out = _bin(frame)
    assert out["depth_bin_m"].tolist() == [0.0, 0.2, 0.4]
    assert out["value"].tolist() == [1.5, 6.0, 16.0]
    assert out["n_raw"].tolist() == [2, 2, 1]


def test_mode_majority_beats_alphabet_and_ties_go_to_alphabetically_first() -> None:
    frame = _frame(
        [
            # bin 0.0: "sand" x2 beats "clay" x1
            ("A", 0.00, "sand", 1.0),
            ("A", 0.01, "clay", 1.0),
            ("A", 0.02, "sand", 1.0),
            # bin 0.2: tie "silty clay" / "clay" / "ooze" (one each) -> "clay"
            ("A", 0.20, "silty clay", 1.0),
            ("A", 0.21, "ooze", 1.0),
            ("A", 0.22, "clay", 1.0),
            # bin 0.4: tie 2-2 between "ooze" and "nannofossil ooze", 1 "clay" -> "nannofossil ooze"
            ("A", 0.40, "ooze", 1.0),
            ("A", 0.41, "nannofossil ooze", 1.0),
            ("A", 0.42, "ooze", 1.0),
            ("A", 0.43, "nannofossil ooze", 1.0),
            ("A", 0.44, "clay", 1.0),
            # bin 0.6: one label
            ("A", 0.60, "basalt", 1.0),
            # code-point order: capitals sort before lower case, as in pandas' sorted modes
            ("A", 0.80, "clay", 1.0),
            ("A", 0.81, "Clay", 1.0),
        ]
    )
    out = _bin(frame)
    assert out["label"].tolist() == ["sand", "clay", "nannofossil ooze", "basalt", "Clay"]
    assert out["n_raw"].tolist() == [3, 3, 5, 1, 2]


def test_duplicated_rows_each_count_as_raw_rows() -> None:
    frame = _frame([("A", 0.25, "sand", 1.9), ("A", 0.25, "clay", 1.9), ("A", 0.3, "sand", 2.2)])
    out = _bin(frame)
    assert out["n_raw"].tolist() == [3]
    assert out["label"].tolist() == ["sand"]
    assert out["value"].iloc[0] == pytest.approx((1.9 + 1.9 + 2.2) / 3)


def test_negative_depths_and_borehole_string_order() -> None:
    frame = _frame(
        [
            ("9-U1-A", -0.35, "clay", 1.0),  # -1.75 -> -2 -> bin -0.4
            ("9-U1-A", -0.05, "clay", 3.0),  # -0.25 -> 0 -> bin 0.0
            ("10-U1-A", 0.05, "ooze", 2.0),
            ("9-U1-A", 0.02, "clay", 5.0),
        ]
    )
    out = _bin(frame)
    # string order: "10-..." sorts before "9-..."
    assert out["borehole_id"].tolist() == ["10-U1-A", "9-U1-A", "9-U1-A"]
    assert out["depth_bin_m"].tolist() == [0.0, -0.4, 0.0]
    assert out["value"].tolist() == [2.0, 1.0, 4.0]
    assert not np.signbit(out["depth_bin_m"].to_numpy()[[0, 2]]).any()


def test_nan_depth_is_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        bin_rows(
            np.array([0, 0]),
            np.array([0.1, np.nan]),
            np.array([1.0, 2.0]),
            np.array([0, 0]),
            0.2,
        )


def test_nan_measurement_propagates_to_its_bin_only() -> None:
    # Rows with NaN are dropped before binning by ingestion; binning itself does not hide them.
    out = _bin(_frame([("A", 0.0, "clay", np.nan), ("A", 0.2, "clay", 1.0)]))
    assert np.isnan(out["value"].iloc[0])
    assert out["value"].iloc[1] == 1.0


def test_group_modes_on_codes() -> None:
    groups = group_rows(np.array([0, 0, 0, 1, 1, 2]), np.array([5, 5, 5, 5, 5, 0]))
    modes = group_modes(groups, np.array([3, 1, 3, 2, 0, 7]))
    assert modes.tolist() == [3, 0, 7]


def test_dense_and_sparse_grouping_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(2)
    borehole = rng.integers(0, 30, 5000)
    index = rng.integers(-200, 4000, 5000)
    dense = group_rows(borehole, index)
    monkeypatch.setattr(binning, "_DENSE_MIN_CELLS", 0)
    sparse = group_rows(borehole, index * 1_000_000)  # huge span: forces the sort path
    assert np.array_equal(dense.row_group, sparse.row_group)
    assert np.array_equal(dense.borehole_code, sparse.borehole_code)
    assert np.array_equal(dense.bin_index * 1_000_000, sparse.bin_index)
    assert np.array_equal(dense.raw_rows, sparse.raw_rows)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_the_pandas_reference_on_random_tables(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 3000
    boreholes = np.array(["363-U1482-A", "368X-U1503-A", "10-U1-B", "9-U2-C"])
    frame = pd.DataFrame(
        {
            "borehole_id": rng.choice(boreholes, n),
            "depth_m": rng.uniform(-1, 30, n).round(rng.integers(1, 4)),
            "label": rng.choice(["clay", "ooze", "sand", "silty clay", "basalt"], n),
            "value": rng.normal(1.7, 0.3, n),
        }
    )
    frame["exp"] = frame["borehole_id"].str.split("-").str[0]
    frame["site"] = frame["borehole_id"].str.split("-").str[1]
    frame["hole"] = frame["borehole_id"].str.split("-").str[2]
    ours = _bin(frame)
    ref = reference_bin_frame(frame, ["value"], 0.2, "n_raw")
    assert ours["borehole_id"].tolist() == ref["borehole_id"].tolist()
    assert np.array_equal(ours["depth_bin_m"].to_numpy(), ref["depth_bin_m"].to_numpy())
    assert ours["label"].tolist() == ref["label"].tolist()
    assert ours["n_raw"].tolist() == ref["n_raw"].tolist()
    np.testing.assert_allclose(ours["value"], ref["value"], rtol=1e-12, atol=0)
