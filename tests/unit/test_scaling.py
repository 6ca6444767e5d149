"""Distribution-aware scaling: transforms, population-std standardisation, fit scope, JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lithoflow.core.errors import InputDataError
from lithoflow.features.scaling import Scaler, ScalingConfig, apply_transform, invert_transform

FEATURES = ("GRA", "MS", "NGR", "R", "G", "B")
TRANSFORMS = ("identity", "signed_log1p", "signed_log1p", "log1p", "log1p", "log1p")


def raw_rows(n: int = 200, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack(
        [
            rng.normal(1.7, 0.25, n),  # GRA
            rng.normal(0, 50, n),  # MS, negative values too
            rng.gamma(2.0, 10.0, n) - 1.0,  # NGR
            rng.uniform(0, 255, n),
            rng.uniform(0, 255, n),
            rng.uniform(0, 255, n),
        ]
    )


def test_transforms_match_the_recipe_and_invert():
    x = np.array([-10.0, -0.5, 0.0, 0.5, 10.0])
    assert np.allclose(apply_transform(x, "signed_log1p"), np.sign(x) * np.log(1 + np.abs(x)))
    assert np.allclose(apply_transform(x[2:], "log1p"), np.log(1 + x[2:]))
    assert np.array_equal(apply_transform(x, "identity"), x)
    for name in ("identity", "signed_log1p"):
        assert np.allclose(invert_transform(apply_transform(x, name), name), x)
    assert np.allclose(invert_transform(apply_transform(x[2:], "log1p"), "log1p"), x[2:])


def test_fit_uses_population_std_on_transformed_values():
    values = np.array([[1.0, 0.0], [2.0, np.e - 1], [3.0, np.e**2 - 1]])
    scaler = Scaler.fit(values, ("a", "b"), ("identity", "log1p"))
    assert scaler.mean == pytest.approx((2.0, 1.0))
    # population std (ddof 0): sqrt(2/3) for both columns
    assert scaler.scale == pytest.approx((np.sqrt(2 / 3), np.sqrt(2 / 3)))
    assert scaler.n_samples == 3
    scaled = scaler.transform(values)
    assert np.allclose(scaled.mean(axis=0), 0)
    assert np.allclose(scaled.std(axis=0), 1)


def test_zero_spread_column_gets_scale_one():
    values = np.array([[1.0, 5.0], [2.0, 5.0]])
    scaler = Scaler.fit(values, ("a", "b"), ("identity", "identity"))
    assert scaler.scale[1] == 1.0
    assert np.allclose(scaler.transform(values)[:, 1], 0.0)


def test_round_trip_transform_inverse():
    values = raw_rows()
    scaler = Scaler.fit(values, FEATURES, TRANSFORMS)
    back = scaler.inverse_transform(scaler.transform(values))
    assert np.allclose(back, values, rtol=1e-10, atol=1e-9)


def test_fit_scope_train_versus_all():
    values = raw_rows(300)
    train = values[:100]
    on_train = Scaler.fit(train, FEATURES, TRANSFORMS)
    on_all = Scaler.fit(values, FEATURES, TRANSFORMS)
    assert on_train.n_samples == 100 and on_all.n_samples == 300
    assert on_train.mean != on_all.mean
    # Train-fitted: train rows are exactly standardised, the rest only approximately.
    assert np.allclose(on_train.transform(train).mean(axis=0), 0)
    assert not np.allclose(on_train.transform(values).mean(axis=0), 0)


def test_json_round_trip_is_exact(tmp_path):
    scaler = Scaler.fit(raw_rows(), FEATURES, TRANSFORMS)
    path = tmp_path / "scaler.json"
    scaler.to_json(path)
    again = Scaler.from_json(path)
    assert again == scaler
    payload = json.loads(path.read_text())
    assert payload["features"] == list(FEATURES)
    assert payload["transforms"] == list(TRANSFORMS)
    values = raw_rows(50, seed=3)
    assert np.array_equal(again.transform(values), scaler.transform(values))


def test_bad_values_and_files_raise(tmp_path):
    with pytest.raises(InputDataError, match="log1p"):
        Scaler.fit(np.array([[-2.0], [1.0]]), ("R",), ("log1p",))
    with pytest.raises(InputDataError, match="non-finite"):
        Scaler.fit(np.array([[np.nan], [1.0]]), ("GRA",), ("identity",))
    scaler = Scaler.fit(raw_rows(), FEATURES, TRANSFORMS)
    with pytest.raises(InputDataError, match="shape"):
        scaler.transform(np.zeros((3, 4)))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "something else"}))
    with pytest.raises(InputDataError):
        Scaler.from_json(bad)


def test_scaling_config_defaults_for_unlisted_features():
    config = ScalingConfig.from_config(
        {"default_transform": "log1p", "transforms": {"GRA": "identity", "MS": "signed_log1p"}}
    )
    assert config.transforms_for(["GRA", "MS", "X"]) == ("identity", "signed_log1p", "log1p")


def test_default_config_reproduces_the_investigations_transforms(repo_root):
    import yaml

    config = yaml.safe_load((repo_root / "config.yaml").read_text())
    assert ScalingConfig.from_config(config["scaling"]).transforms_for(FEATURES) == TRANSFORMS
