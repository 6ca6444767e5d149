"""Gradient boosting: early stopping on validation rows, probabilities, skops round trip."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

from lithoflow.classifiers.boosting import (
    build_boosting,
    fit_boosting,
    load_boosting,
    predict_proba,
    refit_with_validation,
    save_boosting,
    stratified_subsample,
)
from lithoflow.classifiers.boosting_settings import BoostingParams
from lithoflow.core.errors import InputDataError

PARAMS = BoostingParams(
    learning_rate=0.1,
    max_iter=60,
    max_leaf_nodes=15,
    min_samples_leaf=10,
    l2_regularization=0.0,
    max_features=1.0,
    early_stopping=True,
    n_iter_no_change=5,
    refit_with_val=False,
    subsample=1.0,
)


def data(seed: int = 0, n: int = 600) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 1).astype(np.int64)
    x[rng.random(x.shape) < 0.1] = np.nan  # missing values handled natively
    return x, y


def fitted():
    x, y = data()
    xv, yv = data(1, 200)
    model = build_boosting(PARAMS, seed=3, has_validation=True)
    summary = fit_boosting(model, x, y, xv, yv)
    return model, summary


def test_fits_with_missing_values_and_stops_on_validation_rows() -> None:
    model, summary = fitted()
    assert summary["early_stopping"] and 1 <= summary["iterations"] <= PARAMS.max_iter
    assert len(summary["validation_score"]) >= summary["iterations"]
    x, y = data(2, 300)
    assert (predict_proba(model, x, 3).argmax(axis=1) == y).mean() > 0.7


def test_no_validation_rows_means_no_early_stopping() -> None:
    model = build_boosting(PARAMS, seed=3, has_validation=False)
    x, y = data()
    summary = fit_boosting(model, x, y, None, None)
    assert not summary["early_stopping"] and summary["iterations"] == PARAMS.max_iter


def test_probabilities_cover_classes_absent_from_training() -> None:
    model, _ = fitted()
    x, _ = data(2, 5)
    proba = predict_proba(model, x, 5)
    assert proba.shape == (5, 5) and np.allclose(proba[:, 3:], 0.0)
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_saved_without_pickle_and_loaded_to_identical_predictions(tmp_path) -> None:
    model, _ = fitted()
    path = tmp_path / "model.skops"
    save_boosting(path, model)
    with zipfile.ZipFile(path) as archive:
        assert not any(n.endswith((".pkl", ".pickle")) for n in archive.namelist())
    loaded = load_boosting(path)
    x, _ = data(5, 400)
    np.testing.assert_array_equal(loaded.predict_proba(x), model.predict_proba(x))


def custom_function(x: np.ndarray) -> np.ndarray:
    return x


def test_a_file_with_other_types_is_refused(tmp_path) -> None:
    import skops.io as sio
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    path = tmp_path / "other.skops"
    sio.dump(Pipeline([("f", FunctionTransformer(custom_function))]), path)
    with pytest.raises(InputDataError, match="refusing to load"):
        load_boosting(path)


def test_the_same_model_saves_to_the_same_bytes(tmp_path) -> None:
    model, _ = fitted()
    save_boosting(tmp_path / "a.skops", model)
    save_boosting(tmp_path / "b.skops", model)
    assert (tmp_path / "a.skops").read_bytes() == (tmp_path / "b.skops").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.skops") as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_refit_with_validation_uses_the_chosen_iterations_on_train_and_val_rows() -> None:
    model, summary = fitted()
    x, y = data()
    xv, yv = data(1, 200)
    refit, refit_summary = refit_with_validation(model, summary, x, y, xv, yv)
    assert refit is not model and not refit.early_stopping
    assert refit.n_iter_ == summary["iterations"]
    assert refit_summary["refit_rows"] == len(y) + len(yv)
    # the refit learned from the val rows too: it differs from the early-stopped model
    assert not np.array_equal(predict_proba(refit, xv, 3), predict_proba(model, xv, 3))


def test_refit_without_early_stopping_keeps_the_model() -> None:
    model = build_boosting(PARAMS, seed=3, has_validation=False)
    x, y = data()
    summary = fit_boosting(model, x, y, None, None)
    same, same_summary = refit_with_validation(model, summary, x, y, *data(1, 200))
    assert same is model and "refit_rows" not in same_summary


def test_stratified_subsample_keeps_each_class_share_and_follows_the_seed() -> None:
    labels = np.array([0] * 90 + [1] * 9 + [2])
    rows = stratified_subsample(labels, 0.5, seed=4)
    assert np.all(np.diff(rows) > 0)  # sorted, no row twice
    assert np.bincount(labels[rows]).tolist() == [45, 5, 1]  # ceil per class; the single row kept
    assert np.array_equal(rows, stratified_subsample(labels, 0.5, seed=4))
    assert not np.array_equal(rows, stratified_subsample(labels, 0.5, seed=5))
    assert np.array_equal(stratified_subsample(labels, 1.0, seed=4), np.arange(100))
    with pytest.raises(ValueError, match="subsample"):
        stratified_subsample(labels, 0.0, seed=4)


def test_an_input_whose_only_values_the_subsample_leaves_out_is_not_used() -> None:
    import dataclasses

    from lithoflow.classifiers.boosting import BoostingKind

    x, y = data()
    xv, yv = data(1, 200)
    params = dataclasses.replace(PARAMS, subsample=0.5)
    left_out = np.setdiff1d(np.arange(len(y)), stratified_subsample(y, 0.5, 3))
    x[:, 3] = np.nan
    x[left_out[:2], 3] = 1.0  # two values, neither in the rows the trees learn from
    kind = BoostingKind(params, n_inputs=4)
    kind.fit((x, y), (xv, yv), 3, 3, None, None, None, None)
    assert kind.used.tolist() == [True, True, True, False]
    assert kind.architecture()["used_inputs"] == [0, 1, 2]
    assert kind.predict_proba(xv, None).shape == (200, 3)


def test_subsample_fits_the_boosting_kind_on_that_share_of_the_training_rows(caplog) -> None:
    import dataclasses
    import logging

    from lithoflow.classifiers.boosting import BoostingKind

    x, y = data()
    xv, yv = data(1, 200)
    results = {}
    for share in (1.0, 0.5):
        params = dataclasses.replace(PARAMS, subsample=share, refit_with_val=True)
        kind = BoostingKind(params, n_inputs=4)
        with caplog.at_level(logging.INFO):
            kind.fit((x, y), (xv, yv), 3, 3, None, None, None, None)
        results[share] = kind
    full, half = results[1.0], results[0.5]
    assert "rows_fitted" not in full.summary
    fitted_rows = sum(-(-c // 2) for c in np.bincount(y))  # half of each class, rounded up
    assert half.summary["rows_fitted"] == fitted_rows
    assert f"learns from {fitted_rows} of 600 training rows (subsample 0.5)" in caplog.text
    # the refit learned from the same share of val rows (and all of the subsampled train rows)
    assert half.summary["refit_rows"] == half.summary["rows_fitted"] + sum(
        -(-c // 2) for c in np.bincount(yv)
    )
    assert not np.array_equal(full.predict_proba(xv, None), half.predict_proba(xv, None))
