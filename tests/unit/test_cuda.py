"""The training paths on a CUDA device: hand-written steps against autograd there, repeatability
of a seeded fit, and weights trained on the GPU used on a CPU-only machine.

Skipped where no CUDA device is present (CI has none); run on a GPU node with
`pytest tests/unit/test_cuda.py`.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch

from lithoflow.classifiers.fast_mlp import FastMLPStep
from lithoflow.classifiers.mlp import AutogradMLPStep, MLPClassifier, build_mlp, fit_mlp
from lithoflow.training.checkpoints import cpu_state_dict
from lithoflow.training.loop import make_generator
from lithoflow.vae.fast_step import FastVAEStep
from lithoflow.vae.fit import fit_vae
from lithoflow.vae.network import VAE, build_vae
from lithoflow.vae.steps import AutogradVAEStep
from tests.support.model_data import toy_classifier_data

from .test_fast_mlp import PARAMS as MLP_PARAMS
from .test_fast_mlp import relative_difference
from .test_vae import vae_config

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")

CUDA = torch.device("cuda")


def without_timing(history: list[dict]) -> list[dict]:
    """The history rows without their wall-clock seconds."""
    return [{k: v for k, v in row.items() if k != "seconds"} for row in history]


def assert_same_gradients(fast_model, reference, tolerance: float) -> None:
    """The hand-written step's gradients equal autograd's, parameter by parameter."""
    grads = dict(fast_model.named_parameters())
    for name, param in reference.named_parameters():
        assert relative_difference(grads[name].grad, param.grad) < tolerance, name


@pytest.mark.parametrize(("dtype", "tolerance"), [(torch.float32, 1e-4), (torch.float64, 1e-12)])
def test_fast_vae_step_equals_autograd_on_cuda(dtype, tolerance):
    fast_model = VAE(6, [32, 16], 10, generator=make_generator(3)).to(CUDA, dtype)
    reference = VAE(6, [32, 16], 10).to(CUDA, dtype)
    reference.load_state_dict(fast_model.state_dict())
    fast = FastVAEStep(fast_model, learning_rate=1e-2)
    plain = AutogradVAEStep(reference, learning_rate=1e-2)
    data = make_generator(5)
    for beta in (0.0, 0.4, 0.75):
        x = torch.randn(50, 6, generator=data, dtype=dtype).to(CUDA)
        eps = torch.randn(50, 10, generator=data, dtype=dtype).to(CUDA)
        sse_fast, kl_fast = fast.loss_and_grad(x, eps, beta).values()
        sse_plain, kl_plain = plain.loss_and_grad(x, eps, beta).values()
        assert sse_fast.item() == pytest.approx(sse_plain.item(), rel=tolerance)
        assert kl_fast.item() == pytest.approx(kl_plain.item(), rel=tolerance)
        assert_same_gradients(fast_model, reference, tolerance)
        fast.optimizer.step()
        plain.optimizer.step()
    trained = dict(fast_model.named_parameters())
    for name, param in reference.named_parameters():
        assert param.device.type == "cuda"
        assert relative_difference(trained[name], param) < 10 * tolerance, name


@pytest.mark.parametrize(("dtype", "tolerance"), [(torch.float32, 1e-5), (torch.float64, 1e-12)])
def test_fast_mlp_step_equals_autograd_on_cuda(dtype, tolerance):
    fast_model = MLPClassifier(6, (64, 32), 14, 0.3, generator=make_generator(3)).to(CUDA, dtype)
    reference = MLPClassifier(6, (64, 32), 14, 0.3).to(CUDA, dtype)
    reference.load_state_dict(fast_model.state_dict())
    weight = (torch.rand(14, generator=make_generator(9), dtype=dtype) + 0.1).to(CUDA)
    fast = FastMLPStep(fast_model, 1e-2, weight)
    plain = AutogradMLPStep(reference, 1e-2, weight)
    data = make_generator(2)
    fast_dropout, plain_dropout = make_generator(4, CUDA), make_generator(4, CUDA)
    for _ in range(5):
        x = torch.randn(64, 6, generator=data, dtype=dtype).to(CUDA)
        y = torch.randint(0, 14, (64,), generator=data).to(CUDA)
        loss_fast = fast.loss_and_grad(x, y, fast_dropout)
        loss_plain = plain.loss_and_grad(x, y, plain_dropout)
        assert loss_fast.item() == pytest.approx(loss_plain.item(), rel=tolerance)
        assert_same_gradients(fast_model, reference, tolerance)
        fast.optimizer.step()
        plain.optimizer.step()
    assert torch.equal(fast_dropout.get_state(), plain_dropout.get_state())


def test_seeded_vae_fit_on_cuda_repeats_exactly_and_its_weights_load_on_the_cpu():
    x = np.random.default_rng(0).normal(size=(300, 6))
    config = vae_config()
    states, histories = [], []
    for _ in range(2):
        model = build_vae(6, config)
        result = fit_vae(model, x, x[:60], config, CUDA)
        states.append(cpu_state_dict(model))
        histories.append(without_timing(result.history))
    assert histories[0] == histories[1]
    for name, value in states[0].items():
        assert torch.equal(value, states[1][name]), name
    # Saved as the rules save it, loaded on a CPU-only machine with weights_only.
    buffer = io.BytesIO()
    torch.save(states[0], buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True, map_location="cpu")
    on_cpu = build_vae(6, config)
    on_cpu.load_state_dict(loaded)
    on_gpu = build_vae(6, config).to(CUDA)
    on_gpu.load_state_dict(loaded)
    mu_cpu = on_cpu.eval().encode_mu(x)
    mu_gpu = on_gpu.eval().encode_mu(torch.as_tensor(x, dtype=torch.float32, device=CUDA))
    np.testing.assert_allclose(mu_cpu, mu_gpu.cpu().numpy(), rtol=1e-4, atol=1e-5)


def test_seeded_mlp_fit_on_cuda_repeats_exactly():
    data = toy_classifier_data()
    train, val = data.parts["train"], data.parts["val"]
    weights = np.array([0.5, 1.0, 2.0, 1.0])
    states, histories = [], []
    for _ in range(2):
        model = build_mlp(4, len(data.classes), MLP_PARAMS, 11)
        result = fit_mlp(model, train, val, 4, MLP_PARAMS, 11, CUDA, weights=weights)
        states.append(cpu_state_dict(model))
        histories.append(without_timing(result.history))
    assert histories[0] == histories[1]
    for name, value in states[0].items():
        assert torch.equal(value, states[1][name]), name
