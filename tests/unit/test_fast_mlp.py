"""The MLP's hand-written gradients against autograd, its resume state, and when it is chosen."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch

from lithoflow.classifiers.fast_mlp import FastMLPStep
from lithoflow.classifiers.mlp import (
    AutogradMLPStep,
    ClassifierTask,
    MLPClassifier,
    MLPParams,
    build_mlp,
    fit_mlp,
)
from lithoflow.training.loop import make_generator
from tests.support.model_data import toy_classifier_data

N_INPUTS, HIDDEN, N_CLASSES = 6, (64, 32), 14
PARAMS = MLPParams(
    hidden=(16, 8),
    dropout=0.3,
    learning_rate=1e-2,
    batch_size=32,
    max_epochs=3,
    patience=2,
    selection_metric="balanced_accuracy",
)
CPU = torch.device("cpu")


def twin_models(dtype: torch.dtype = torch.float32) -> tuple[MLPClassifier, MLPClassifier]:
    """Two MLPs with the same initial weights (the first for the fast step)."""
    fast = MLPClassifier(N_INPUTS, HIDDEN, N_CLASSES, 0.3, generator=make_generator(3)).to(dtype)
    reference = MLPClassifier(N_INPUTS, HIDDEN, N_CLASSES, 0.3).to(dtype)
    reference.load_state_dict(fast.state_dict())
    return fast, reference


def batch(n_rows: int, generator: torch.Generator, dtype: torch.dtype = torch.float32):
    x = torch.randn(n_rows, N_INPUTS, generator=generator, dtype=dtype)
    y = torch.randint(0, N_CLASSES, (n_rows,), generator=generator)
    return x, y


def class_weight(weighted: bool, dtype: torch.dtype = torch.float32) -> torch.Tensor | None:
    if not weighted:
        return None
    return torch.rand(N_CLASSES, generator=make_generator(9), dtype=dtype) + 0.1


def relative_difference(a: torch.Tensor, b: torch.Tensor) -> float:
    """Largest absolute difference over the largest magnitude of `b`."""
    return ((a - b).abs().max() / b.abs().max()).item()


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(("dtype", "tolerance"), [(torch.float32, 1e-6), (torch.float64, 1e-13)])
def test_hand_written_loss_and_gradients_equal_autograd(weighted, dtype, tolerance):
    fast_model, reference = twin_models(dtype)
    weight = class_weight(weighted, dtype)
    fast = FastMLPStep(fast_model, 1e-3, weight)
    plain = AutogradMLPStep(reference, 1e-3, weight)
    x, y = batch(200, make_generator(0), dtype)
    # Same dropout seed: both paths must draw the same masks from it, in the same order.
    fast_dropout, plain_dropout = make_generator(7), make_generator(7)
    loss_fast = fast.loss_and_grad(x, y, fast_dropout)
    loss_plain = plain.loss_and_grad(x, y, plain_dropout)
    assert torch.equal(fast_dropout.get_state(), plain_dropout.get_state())
    assert loss_fast.item() == pytest.approx(loss_plain.item(), rel=tolerance)
    grads = {name: p.grad for name, p in fast_model.named_parameters()}
    for name, param in reference.named_parameters():
        assert relative_difference(grads[name], param.grad) < tolerance, name


def test_without_dropout_in_eval_mode_no_mask_is_drawn():
    fast_model, reference = twin_models()
    fast_model.eval()
    reference.eval()
    fast, plain = FastMLPStep(fast_model, 1e-3), AutogradMLPStep(reference, 1e-3)
    x, y = batch(50, make_generator(1))
    dropout = make_generator(7)
    untouched = dropout.get_state()
    loss = fast.loss_and_grad(x, y, dropout)
    assert torch.equal(dropout.get_state(), untouched)
    assert loss.item() == pytest.approx(plain.loss_and_grad(x, y, None).item(), rel=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
def test_fast_and_autograd_steps_agree_over_several_adam_steps(weighted):
    fast_model, reference = twin_models()
    weight = class_weight(weighted)
    fast = FastMLPStep(fast_model, 1e-2, weight)
    plain = AutogradMLPStep(reference, 1e-2, weight)
    assert isinstance(plain.optimizer, torch.optim.Adam)
    data = make_generator(2)
    fast_dropout, plain_dropout = make_generator(4), make_generator(4)
    for _ in range(5):
        x, y = batch(64, data)
        fast.loss_and_grad(x, y, fast_dropout)
        plain.loss_and_grad(x, y, plain_dropout)
        fast.optimizer.step()
        plain.optimizer.step()
    fast_params = dict(fast_model.named_parameters())
    initial = twin_models()[1].state_dict()
    for name, param in reference.named_parameters():
        assert relative_difference(fast_params[name], param) < 1e-5, name
        assert not torch.equal(param, initial[name])


def fit(gradients: str, **kwargs):
    data = toy_classifier_data()
    model = build_mlp(4, len(data.classes), PARAMS, 11)
    train, val = data.parts["train"], data.parts["val"]
    weights = np.array([0.5, 1.0, 2.0, 1.0])
    result = fit_mlp(
        model, train, val, 4, PARAMS, 11, CPU, weights=weights, gradients=gradients, **kwargs
    )
    return model, result


def test_fit_mlp_is_deterministic_and_close_to_autograd():
    fast_a, result_a = fit("fast")
    fast_b, _ = fit("auto")
    plain, result_plain = fit("autograd")
    for key, value in fast_a.state_dict().items():
        assert torch.equal(value, fast_b.state_dict()[key]), key
        assert relative_difference(value, plain.state_dict()[key]) < 1e-4, key
    losses = [r["train_loss"] for r in result_plain.history]
    assert [r["train_loss"] for r in result_a.history] == pytest.approx(losses, rel=1e-5)


@pytest.mark.parametrize("gradients", ["fast", "autograd"])
def test_task_state_round_trips_to_identical_training(gradients):
    data = toy_classifier_data()
    train, val = data.parts["train"], data.parts["val"]

    def task() -> ClassifierTask:
        model = build_mlp(4, 4, PARAMS, 11)
        return ClassifierTask(model, train, val, 4, PARAMS, 11, None, CPU, gradients)

    original = task()
    original.model.train()
    original.train_epoch(0)
    # Through bytes, as the resume store keeps it (nothing shared with the live task, no pickle).
    buffer = io.BytesIO()
    torch.save({"model": original.model.state_dict(), "task": original.state_dict()}, buffer)
    buffer.seek(0)
    saved = torch.load(buffer, weights_only=True)
    resumed = task()
    resumed.model.load_state_dict(saved["model"])
    resumed.load_state_dict(saved["task"])
    resumed.model.train()
    assert original.train_epoch(1) == resumed.train_epoch(1)
    for key, value in original.model.state_dict().items():
        assert torch.equal(value, resumed.model.state_dict()[key]), key


class ScaledLogitsMLP(MLPClassifier):
    """An MLP variant: its own forward, so the hand-written gradients no longer apply."""

    def forward(self, x, dropout_generator=None):
        return 2.0 * super().forward(x, dropout_generator)


def test_the_fast_step_is_chosen_only_for_the_plain_mlp():
    data = toy_classifier_data(n=40)
    train, val = data.parts["train"], data.parts["val"]

    def task(model, gradients="auto"):
        return ClassifierTask(model, train, val, 4, PARAMS, 11, None, CPU, gradients)

    assert isinstance(task(build_mlp(4, 4, PARAMS, 11)).step, FastMLPStep)
    forced = task(build_mlp(4, 4, PARAMS, 11), "autograd")
    assert isinstance(forced.step, AutogradMLPStep)
    variant = ScaledLogitsMLP(4, PARAMS.hidden, 4, PARAMS.dropout)
    assert isinstance(task(variant).step, AutogradMLPStep)
    with pytest.raises(ValueError, match="no hand-written gradients for ScaledLogitsMLP"):
        task(variant, "fast")
    with pytest.raises(ValueError, match="gradients must be one of"):
        task(build_mlp(4, 4, PARAMS, 11), "numeric")
    fit_mlp(variant, train, val, 4, PARAMS, 11, CPU)  # trains by autograd
