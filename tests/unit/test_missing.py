"""Missing-value policies: training medians with indicators, saved as plain numbers."""

from __future__ import annotations

import numpy as np
from sklearn.impute import SimpleImputer

from lithoflow.features.missing import MedianImputer, complete_rows

NAN = np.nan


def test_medians_come_from_the_training_rows_only() -> None:
    train = np.array([[1.0, NAN], [3.0, 10.0], [5.0, 30.0]])
    imputer = MedianImputer.fit(train, ["GR", "PEF"], indicators=True)
    assert imputer.medians == (3.0, 20.0)
    assert imputer.indicator_columns == ("PEF",)
    test = np.array([[NAN, NAN], [7.0, 1.0]])
    out = imputer.transform(test)
    assert out.tolist() == [[3.0, 20.0, 1.0], [7.0, 1.0, 0.0]]
    assert imputer.output_columns == ["GR", "PEF", "PEF_missing"]


def test_same_fill_as_scikit_learn_and_json_round_trip() -> None:
    rng = np.random.default_rng(0)
    train = rng.normal(size=(50, 3))
    train[rng.random((50, 3)) < 0.2] = NAN
    test = rng.normal(size=(20, 3))
    test[rng.random((20, 3)) < 0.3] = NAN
    imputer = MedianImputer.fit(train, ["a", "b", "c"], indicators=False)
    reference = SimpleImputer(strategy="median").fit(train).transform(test)
    np.testing.assert_array_equal(imputer.transform(test), reference)
    again = MedianImputer.from_dict(imputer.to_dict())
    np.testing.assert_array_equal(again.transform(test), reference)


def test_a_column_without_training_values_is_filled_with_zero() -> None:
    imputer = MedianImputer.fit(np.array([[1.0, NAN], [2.0, NAN]]), ["a", "b"], indicators=False)
    assert imputer.transform(np.array([[NAN, NAN]])).tolist() == [[1.5, 0.0]]


def test_complete_rows() -> None:
    assert complete_rows(np.array([[1.0, 2.0], [NAN, 1.0]])).tolist() == [True, False]


def test_curve_imputer_predicts_a_missing_curve_from_the_others():
    from lithoflow.features.missing import CurveImputer

    rng = np.random.default_rng(0)
    a = rng.normal(size=2000)
    b = 2.0 * a + 0.05 * rng.normal(size=2000)  # b follows a
    c = rng.normal(size=2000)
    x = np.column_stack([a, np.exp(b), c])  # a log-distributed curve, modelled in log1p space
    train = x.copy()
    train[:300, 1] = np.nan
    imputer = CurveImputer.fit(train, ["A", "B", "C"], ["identity", "log1p", "identity"], seed=1)
    assert set(imputer.models) == {"A", "B", "C"} and imputer.indicator_columns == ("B",)
    filled = imputer.fill(train)
    assert not np.isnan(filled).any()
    np.testing.assert_array_equal(filled[300:], train[300:])  # values present stay as they are
    error = np.abs(np.log1p(filled[:300, 1]) - np.log1p(x[:300, 1]))
    assert np.median(error) < 0.2  # learnt from A, not the median
    np.testing.assert_array_equal(imputer.indicators(train)[:, 0], np.isnan(train[:, 1]))
    assert imputer.output_columns == ["A", "B", "C", "B_missing"]


def test_curve_imputer_fits_when_another_curve_is_never_logged_beside_it():
    """Wells logging C never log B (and the other way round): C's model cannot learn from B.
    scikit-learn's trees refuse an all-missing input; the imputer ignores it instead (found by a
    nested cross-validation fold of the FORCE wells)."""
    from lithoflow.features.missing import CurveImputer

    rng = np.random.default_rng(3)
    a = rng.normal(size=1000)
    x = np.column_stack([a, a + 0.1 * rng.normal(size=1000), -a + 0.1 * rng.normal(size=1000)])
    x[:500, 1] = np.nan  # B only in the second half
    x[500:, 2] = np.nan  # C only in the first half
    imputer = CurveImputer.fit(x, ["A", "B", "C"], ["identity"] * 3, seed=0)
    assert set(imputer.models) == {"A", "B", "C"}
    filled = imputer.fill(x)
    assert not np.isnan(filled).any()
    assert np.median(np.abs(filled[:500, 1] - a[:500])) < 0.3  # B learnt from A
    assert np.median(np.abs(filled[500:, 2] + a[500:])) < 0.3  # C learnt from A


def test_curve_imputer_with_a_curve_no_training_row_has(caplog):
    """A curve listed but logged in no training well (another basin's log set without PEF, say):
    it gets no model, its gaps take 0 with an indicator, the other curves' models ignore it, and
    the warning names it."""
    from lithoflow.features.missing import CurveImputer

    rng = np.random.default_rng(4)
    a = rng.normal(size=600)
    x = np.column_stack([a, 3.0 * a + 0.1 * rng.normal(size=600), np.full(600, np.nan)])
    x[:100, 1] = np.nan
    with caplog.at_level("WARNING", logger="lithoflow.features.missing"):
        imputer = CurveImputer.fit(x, ["A", "B", "P"], ["identity"] * 3, seed=0)
    assert set(imputer.models) == {"A", "B"} and imputer.indicator_columns == ("B", "P")
    filled = imputer.fill(x)
    assert (filled[:, 2] == 0.0).all() and not np.isnan(filled).any()
    assert np.median(np.abs(filled[:100, 1] - 3.0 * a[:100])) < 0.5  # B still learnt from A
    assert "no training value: P" in caplog.text


def test_curve_imputer_round_trips_through_skops(tmp_path):
    from lithoflow.features.missing import CurveImputer

    rng = np.random.default_rng(2)
    x = rng.normal(size=(400, 2))
    x[:50, 0] = np.nan
    imputer = CurveImputer.fit(x, ["A", "B"], ["identity", "identity"], seed=0)
    imputer.save(tmp_path)
    loaded = CurveImputer.load(imputer.to_dict(), tmp_path)
    np.testing.assert_array_equal(loaded.fill(x), imputer.fill(x))
