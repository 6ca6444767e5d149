"""The training loop: batches, flat parameters and Adam, early stopping, resume equivalence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from lithoflow.classifiers.mlp import build_mlp, fit_mlp
from lithoflow.training.checkpoints import ResumeStore, load_torch
from lithoflow.training.flat_params import FlatAdam, FlatParameters
from lithoflow.training.loop import (
    EarlyStopping,
    batch_bounds,
    derive_seeds,
    make_generator,
    run_epochs,
)
from lithoflow.vae.config import VAEConfig
from lithoflow.vae.fit import fit_vae
from lithoflow.vae.network import build_vae
from tests.support.config import classifier_spec
from tests.support.config import vae_config as support_vae_config
from tests.support.model_data import toy_classifier_data


class Interrupted(Exception):
    """Stands in for a killed job."""


def vae_config(**overrides: Any) -> VAEConfig:
    return support_vae_config(
        **{
            "split": "random",
            "beta_warmup_epochs": 3,
            "batch_size": 64,
            "epochs": 6,
            "seed": 7,
            **overrides,
        }
    )


def test_batch_bounds_keep_the_last_partial_batch():
    assert batch_bounds(10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert batch_bounds(8, 4) == [(0, 4), (4, 8)]
    assert batch_bounds(0, 4) == []


def test_derived_seeds_are_deterministic_and_distinct():
    assert derive_seeds(42, 3) == derive_seeds(42, 3)
    assert len(set(derive_seeds(42, 3))) == 3
    assert derive_seeds(42, 3) != derive_seeds(43, 3)


def test_flat_parameters_are_views_and_backward_fills_flat_grads():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    flat = FlatParameters(model)
    assert len(flat) == 3 * 4 + 4 + 4 * 2 + 2
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key])  # values preserved
    with torch.no_grad():
        flat.values.zero_()
    assert all(torch.all(p == 0) for p in model.parameters())
    with torch.no_grad():
        flat.values.copy_(torch.arange(len(flat), dtype=torch.float32) / 100)
    model(torch.ones(5, 3)).sum().backward()
    assert flat.grads.abs().sum() > 0
    for param in model.parameters():
        assert param.grad.untyped_storage().data_ptr() == flat.grads.untyped_storage().data_ptr()
    expected = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
    assert torch.equal(flat.grads, expected)


def test_flat_adam_matches_torch_adam():
    torch.manual_seed(0)  # test-local data only; the library never seeds globally
    reference = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
    model = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3))
    model.load_state_dict(reference.state_dict())
    torch_adam = torch.optim.Adam(reference.parameters(), lr=1e-2, foreach=False)
    flat = FlatParameters(model)
    adam = FlatAdam(flat.values, flat.grads, lr=1e-2)
    x, y = torch.randn(32, 6), torch.randint(0, 3, (32,))
    for _ in range(25):
        torch_adam.zero_grad()
        nn.functional.cross_entropy(reference(x), y).backward()
        torch_adam.step()
        flat.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        adam.step()
    for a, b in zip(reference.parameters(), model.parameters(), strict=True):
        assert torch.allclose(a, b, rtol=1e-6, atol=1e-7)


def test_early_stopping_is_strict_and_counts_patience():
    stopping = EarlyStopping(patience=2, mode="max")
    assert stopping.update(0.5, 1)
    assert not stopping.update(0.5, 2)  # equal is not an improvement
    assert not stopping.should_stop
    assert not stopping.update(0.4, 3)
    assert stopping.should_stop and stopping.best_epoch == 1
    low = EarlyStopping(patience=1, mode="min")
    assert low.update(2.0, 1) and low.update(1.0, 2) and not low.update(float("nan"), 3)
    assert low.best_value == 1.0 and low.should_stop


class ScriptedTask:
    """A task whose weight equals the epoch number and whose val metric follows a script."""

    def __init__(self, scores: list[float]) -> None:
        self.model = nn.Linear(1, 1)
        self.scores = scores

    def train_epoch(self, epoch: int) -> dict[str, float]:
        with torch.no_grad():
            self.model.weight.fill_(epoch + 1)
        return {"train_loss": 1.0 / (epoch + 1)}

    def evaluate(self, epoch: int) -> dict[str, float]:
        return {"val_accuracy": self.scores[epoch]}

    def state_dict(self) -> dict[str, Any]:
        return {}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        pass


def test_early_stopping_restores_the_best_epoch():
    scores = [0.1, 0.3, 0.5, 0.4, 0.5, 0.2, 0.45, 0.9]
    task = ScriptedTask(scores)
    result = run_epochs(
        task,
        max_epochs=len(scores),
        stopping=EarlyStopping(patience=3, mode="max"),
        selection_metric="val_accuracy",
    )
    assert result.best_epoch == 3  # 0.5 at epoch 5 ties, so it is no improvement
    assert result.epochs_run == 6 and result.stopped_early
    assert task.model.weight.item() == 3.0  # weights of epoch 3 restored
    assert [r["improved"] for r in result.history] == [True, True, True, False, False, False]
    assert result.best_record["val_accuracy"] == 0.5


def test_vae_resume_after_interruption_gives_identical_weights(tmp_path):
    rng = np.random.default_rng(0)
    x_train, x_val = rng.normal(size=(300, 6)), rng.normal(size=(50, 6))
    config = vae_config()
    device = torch.device("cpu")

    uninterrupted = build_vae(6, config)
    expected = fit_vae(uninterrupted, x_train, x_val, config, device)

    store = ResumeStore(tmp_path / ".resume" / "v", key="k1")

    def stop_after_two(record: dict[str, Any]) -> None:
        if record["epoch"] == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        fit_vae(
            build_vae(6, config),
            x_train,
            x_val,
            config,
            device,
            resume=store,
            on_epoch_end=stop_after_two,
        )
    state = torch.load(store.path, weights_only=True)  # nothing pickled
    assert state["epoch"] == 2 and state["key"] == "k1"

    resumed_model = build_vae(6, config)
    resumed = fit_vae(resumed_model, x_train, x_val, config, device, resume=store)
    assert resumed.resumed_from_epoch == 2
    assert resumed.epochs_run == config.epochs
    for key, value in uninterrupted.state_dict().items():
        assert torch.equal(value, resumed_model.state_dict()[key]), key
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in resumed.history]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in expected.history]


def test_classifier_resume_with_early_stopping_gives_identical_weights(tmp_path):
    data = toy_classifier_data()
    spec = classifier_spec(
        "toy",
        class_weighting="inverse_frequency",
        selection_metric="balanced_accuracy",
        hidden=[16, 8],
        learning_rate=1e-2,
        batch_size=32,
        max_epochs=12,
        patience=3,
        seed=5,
    )
    device = torch.device("cpu")
    n_inputs, n_classes = data.parts["train"][0].shape[1], len(data.classes)
    train, val = data.parts["train"], data.parts["val"]

    def fit(model, **kwargs):
        return fit_mlp(model, train, val, n_classes, spec.mlp, spec.seed, device, **kwargs)

    reference = build_mlp(n_inputs, n_classes, spec.mlp, spec.seed)
    expected = fit(reference)

    store = ResumeStore(tmp_path / "resume", key="c")

    def stop_after_three(record: dict[str, Any]) -> None:
        if record["epoch"] == 3:
            raise Interrupted

    with pytest.raises(Interrupted):
        fit(
            build_mlp(n_inputs, n_classes, spec.mlp, spec.seed),
            resume=store,
            on_epoch_end=stop_after_three,
        )
    model = build_mlp(n_inputs, n_classes, spec.mlp, spec.seed)
    result = fit(model, resume=store)
    assert result.resumed_from_epoch == 3
    assert result.best_epoch == expected.best_epoch
    assert result.epochs_run == expected.epochs_run
    for key, value in reference.state_dict().items():
        assert torch.equal(value, model.state_dict()[key]), key


def test_resume_state_with_another_key_is_discarded(tmp_path):
    store = ResumeStore(tmp_path / "r", key="old")
    store.save({"epoch": 3, "history": [], "model": {"w": torch.ones(2)}})
    (tmp_path / "r" / ".state.pt.abc.tmp").write_bytes(b"half written")
    assert load_torch(store.path)["epoch"] == 3
    assert ResumeStore(tmp_path / "r", key="new").load() is None
    assert not store.path.exists()
    assert not (tmp_path / "r").exists()  # stale temporary file and folder removed


def test_same_seed_same_weights_other_seed_other_weights():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(100, 6))
    device = torch.device("cpu")
    a, b, c = (build_vae(6, vae_config(seed=s, epochs=2)) for s in (3, 3, 4))
    for model, seed in ((a, 3), (b, 3), (c, 4)):
        fit_vae(model, x, None, vae_config(seed=seed, epochs=2), device)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))
    assert not torch.equal(a.fc_mu.weight, c.fc_mu.weight)


def test_generators_never_touch_the_global_rng():
    state = torch.random.get_rng_state()
    make_generator(3)
    build_vae(6, vae_config())
    fit_vae(build_vae(6, vae_config(epochs=1)), np.ones((10, 6)), None, vae_config(epochs=1), "cpu")
    assert torch.equal(state, torch.random.get_rng_state())
