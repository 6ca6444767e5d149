"""Classification metrics: sklearn semantics on hand-made and random cases."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from lithoflow.core.errors import InputDataError
from lithoflow.stats import metrics as mt

# Class 3 is only predicted, never true; class 4 neither.
Y_TRUE = np.array([0, 0, 1, 1, 1, 2])
Y_PRED = np.array([0, 1, 1, 1, 3, 2])


def test_balanced_accuracy_hand_made_case():
    # recalls over the classes present in y_true: 0 -> 1/2, 1 -> 2/3, 2 -> 1/1
    expected = (1 / 2 + 2 / 3 + 1) / 3
    assert mt.balanced_accuracy(Y_TRUE, Y_PRED, n_classes=5) == pytest.approx(expected)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert expected == pytest.approx(skm.balanced_accuracy_score(Y_TRUE, Y_PRED))


def test_accuracy_and_macro_f1_hand_made_case():
    assert mt.accuracy(Y_TRUE, Y_PRED) == pytest.approx(4 / 6)
    # F1 = 2TP/(2TP+FP+FN): class0 2/3, class1 4/6, class2 1, class3 0 (only predicted)
    expected = (2 / 3 + 4 / 6 + 1 + 0) / 4
    assert mt.macro_f1(Y_TRUE, Y_PRED, n_classes=5) == pytest.approx(expected)
    assert expected == pytest.approx(skm.f1_score(Y_TRUE, Y_PRED, average="macro", zero_division=0))


def test_confusion_and_per_class_recall():
    counts = mt.confusion_matrix(Y_TRUE, Y_PRED, 5)
    assert counts.shape == (5, 5)
    assert counts[1, 1] == 2 and counts[1, 3] == 1 and counts.sum() == 6
    assert np.array_equal(counts, skm.confusion_matrix(Y_TRUE, Y_PRED, labels=range(5)))
    classes = ["a", "b", "c", "d", "e"]
    table = mt.per_class_recall(Y_TRUE, Y_PRED, classes)
    assert table["support"].tolist() == [2, 3, 1, 0, 0]
    assert table["predicted"].tolist() == [1, 3, 1, 1, 0]
    assert table["recall"].iloc[:3].tolist() == pytest.approx([0.5, 2 / 3, 1.0])
    assert np.isnan(table["recall"].iloc[3])
    long = mt.confusion_long(Y_TRUE, Y_PRED, classes)
    assert list(long.columns) == ["true", "predicted", "count"]
    assert long["count"].sum() == 6
    assert ("b", "d", 1) in set(map(tuple, long.itertuples(index=False)))


def test_summary_lists_present_classes_only():
    summary = mt.classification_summary(Y_TRUE, Y_PRED, ["a", "b", "c", "d", "e"])
    assert summary["n_classes_present"] == 3
    assert [r["class"] for r in summary["per_class_recall"]] == ["b", "a", "c"]
    assert summary["accuracy"] == pytest.approx(4 / 6)


def test_random_cases_agree_with_sklearn():
    rng = np.random.default_rng(0)
    for _ in range(20):
        n_classes = int(rng.integers(2, 12))
        y_true = rng.integers(0, n_classes, size=int(rng.integers(1, 200)))
        y_pred = rng.integers(0, n_classes, size=y_true.size)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ba = skm.balanced_accuracy_score(y_true, y_pred)
            f1 = skm.f1_score(y_true, y_pred, average="macro", zero_division=0)
        assert mt.balanced_accuracy(y_true, y_pred, n_classes) == pytest.approx(ba)
        assert mt.macro_f1(y_true, y_pred, n_classes) == pytest.approx(f1)
        assert mt.accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred))


def test_empty_inputs_give_nan():
    empty = np.array([], dtype=np.int64)
    assert np.isnan(mt.accuracy(empty, empty))
    assert np.isnan(mt.balanced_accuracy(empty, empty, 3))


def _penalty_csv(tmp_path, text):
    path = tmp_path / "penalty.csv"
    path.write_text(text)
    return path


def test_penalty_score_is_minus_the_mean_cost(tmp_path):
    from lithoflow.stats.metrics import penalty_score, read_penalty_matrix

    path = _penalty_csv(tmp_path, "t\\p,A,B,C\nA,0,2,4\nB,2,0,1\nC,4,1,0\n")
    matrix = read_penalty_matrix(path)
    # classes in another order than the matrix: costs are looked up by name
    classes = ["C", "A"]
    y_true = np.array([0, 0, 1, 1])
    y_pred = np.array([0, 1, 1, 0])
    assert penalty_score(y_true, y_pred, classes, matrix) == pytest.approx(-(0 + 4 + 0 + 4) / 4)
    assert penalty_score(y_true, y_true, classes, matrix) == 0.0
    with pytest.raises(InputDataError, match="'D' are not in the penalty matrix"):
        penalty_score(y_true, y_pred, ["A", "D"], matrix, str(path))


def test_penalty_matrix_errors(tmp_path):
    from lithoflow.stats.metrics import read_penalty_matrix

    with pytest.raises(InputDataError, match="same classes"):
        read_penalty_matrix(_penalty_csv(tmp_path, "x,A,B\nA,0,1\nC,1,0\n"))
    with pytest.raises(InputDataError, match="non-negative numbers; row 'B', column 'A'"):
        read_penalty_matrix(_penalty_csv(tmp_path, "x,A,B\nA,0,1\nB,-1,0\n"))


def test_force2020_penalty_matrix(force2020):
    from lithoflow.stats.metrics import read_penalty_matrix

    matrix = read_penalty_matrix(force2020 / "penalty_matrix.csv")
    codes = pd.read_csv(force2020 / "lithology_codes.csv")
    assert list(matrix.index) == list(codes.sort_values("penalty_index")["lithology"])
    assert (np.diag(matrix) == 0).all() and matrix.to_numpy().max() == 4.0


def test_confusion_matrices_by_group_sum_to_the_whole_confusion_matrix() -> None:
    rng = np.random.default_rng(0)
    group = rng.integers(0, 4, 300)
    y_true, y_pred = rng.integers(0, 3, 300), rng.integers(0, 3, 300)
    per_group = mt.confusion_matrices_by_group(group, y_true, y_pred, 5, 3)
    assert per_group.shape == (5, 3, 3) and per_group[4].sum() == 0
    np.testing.assert_array_equal(per_group.sum(axis=0), mt.confusion_matrix(y_true, y_pred, 3))
    np.testing.assert_array_equal(
        per_group[2], mt.confusion_matrix(y_true[group == 2], y_pred[group == 2], 3)
    )
