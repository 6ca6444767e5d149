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
