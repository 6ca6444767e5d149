"""The VAE: architecture, β schedule, loss terms, hand-written gradients, save/load, full step."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from lithoflow.core.dataset import read_dataset
from lithoflow.features.scaling import Scaler, ScalingConfig
from lithoflow.training.loop import make_generator
from lithoflow.vae.config import VAEConfig, beta_for_epoch
from lithoflow.vae.fast_step import FastVAEStep
from lithoflow.vae.fit import VAETask, fit_vae
from lithoflow.vae.network import VAE, build_vae
from lithoflow.vae.objectives import vae_loss_terms
from lithoflow.vae.run import load_vae, train_vae_run
from lithoflow.vae.steps import AutogradVAEStep
from tests.support.config import vae_config as support_vae_config
from tests.support.model_data import write_model_inputs

SCALING = ScalingConfig.from_config(
    {
        "default_transform": "identity",
        "transforms": {
            "MS": "signed_log1p",
            "NGR": "signed_log1p",
            "R": "log1p",
            "G": "log1p",
            "B": "log1p",
        },
    }
)
MODEL_FILES = (
    "model.pt",
    "config.json",
    "scaler.json",
    "features.json",
    "history.csv",
    "provenance.json",
    "embeddings.parquet",
)


def vae_config(**overrides) -> VAEConfig:
    return support_vae_config(
        **{"beta_warmup_epochs": 2, "batch_size": 64, "epochs": 3, **overrides}
    )


def test_architecture_has_the_investigations_2010_parameters():
    model = VAE(6, [32, 16], 10)
    assert sum(p.numel() for p in model.parameters()) == 2010
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert shapes["encoder.0.weight"] == (32, 6) and shapes["encoder.2.weight"] == (16, 32)
    assert shapes["fc_mu.weight"] == (10, 16) and shapes["fc_logvar.weight"] == (10, 16)
    assert shapes["decoder.0.weight"] == (16, 10) and shapes["decoder.4.weight"] == (6, 32)


def test_beta_schedule_matches_the_log():
    start, end, warmup = 1e-10, 0.75, 50
    assert beta_for_epoch(0, start, end, warmup) == pytest.approx(1e-10)
    assert beta_for_epoch(4, start, end, warmup) == pytest.approx(0.06)  # "epoch 5" in the log
    assert beta_for_epoch(49, start, end, warmup) == pytest.approx(0.735)  # "epoch 50"
    assert beta_for_epoch(50, start, end, warmup) == 0.75
    assert beta_for_epoch(99, start, end, warmup) == 0.75
    assert beta_for_epoch(0, 0.1, 0.5, 0) == 0.5  # no warm-up


def test_loss_terms_on_hand_computed_values():
    x = torch.tensor([[1.0, 2.0], [0.0, -1.0]])
    recon = torch.tensor([[1.5, 2.0], [1.0, -1.0]])
    mu = torch.tensor([[0.0], [1.0]])
    logvar = torch.tensor([[0.0], [np.log(2.0)]], dtype=torch.float32)
    sse, kl = vae_loss_terms(x, recon, mu, logvar)
    # SSE = 0.25 + 1 = 1.25 over B = 2 rows
    assert sse.item() == pytest.approx(0.625)
    # KL rows: 0 and -0.5(1 + ln 2 - 1 - 2) = 1 - ln(2)/2; over B = 2
    assert kl.item() == pytest.approx((1 - np.log(2) / 2) / 2, rel=1e-6)


def test_hand_written_gradients_equal_autograd():
    generator = make_generator(3)
    fast_model = VAE(6, [32, 16], 10, generator=generator)
    reference = VAE(6, [32, 16], 10)
    reference.load_state_dict(fast_model.state_dict())
    step = FastVAEStep(fast_model, learning_rate=1e-3)
    x = torch.randn(37, 6, generator=generator)
    eps = torch.randn(37, 10, generator=generator)
    beta = 0.4
    sse, kl_twice = step.loss_and_grad(x, eps, beta).values()
    recon, mu, logvar = reference(x, eps)
    sse_ref, kl_ref = vae_loss_terms(x, recon, mu, logvar)
    (sse_ref + beta * kl_ref).backward()
    assert sse.item() / 37 == pytest.approx(sse_ref.item(), rel=1e-5)
    assert kl_twice.item() / 2 / 37 == pytest.approx(kl_ref.item(), rel=1e-5)
    fast = dict(fast_model.named_parameters())
    for name, param in reference.named_parameters():
        assert torch.allclose(fast[name].grad, param.grad, rtol=1e-4, atol=1e-6), name


def test_fast_and_autograd_steps_agree_over_several_adam_steps():
    generator = make_generator(5)
    fast_model = VAE(6, [32, 16], 10, generator=generator)
    autograd_model = VAE(6, [32, 16], 10)
    autograd_model.load_state_dict(fast_model.state_dict())
    fast = FastVAEStep(fast_model, learning_rate=1e-2)
    plain = AutogradVAEStep(autograd_model, learning_rate=1e-2)
    assert isinstance(plain.optimizer, torch.optim.Adam)
    for beta in (0.0, 0.3, 0.75, 0.75, 0.75):
        x = torch.randn(50, 6, generator=generator)
        eps = torch.randn(50, 10, generator=generator)
        sse_fast, kl_fast = fast.loss_and_grad(x, eps, beta).values()
        sse_plain, kl_plain = plain.loss_and_grad(x, eps, beta).values()
        assert sse_fast.item() == pytest.approx(sse_plain.item(), rel=1e-5)
        assert kl_fast.item() == pytest.approx(kl_plain.item(), rel=1e-5)
        grads = dict(fast_model.named_parameters())
        for name, param in autograd_model.named_parameters():
            assert torch.allclose(grads[name].grad, param.grad, rtol=1e-4, atol=1e-6), name
        fast.optimizer.step()
        plain.optimizer.step()
    fast_params = dict(fast_model.named_parameters())
    for name, param in autograd_model.named_parameters():
        assert torch.allclose(fast_params[name], param, rtol=1e-4, atol=1e-5), name
        assert not torch.equal(param, VAE(6, [32, 16], 10, make_generator(5)).state_dict()[name])


def test_fit_vae_through_autograd_nearly_equals_the_fast_path():
    x = np.random.default_rng(0).normal(size=(200, 6))
    config = vae_config(epochs=3)
    results, models = {}, {}
    for gradients in ("fast", "autograd"):
        models[gradients] = build_vae(6, config)
        results[gradients] = fit_vae(
            models[gradients], x, x[:40], config, torch.device("cpu"), gradients=gradients
        )
    for key in ("loss", "recon", "kl", "val_loss"):
        fast = [r[key] for r in results["fast"].history]
        assert [r[key] for r in results["autograd"].history] == pytest.approx(fast, rel=1e-4)
    fast_state = models["fast"].state_dict()
    for name, value in models["autograd"].state_dict().items():
        assert torch.allclose(fast_state[name], value, rtol=1e-3, atol=1e-5), name


class WiderMuVAE(VAE):
    """A VAE variant: its own forward, so the hand-written gradients no longer apply."""

    def forward(self, x, eps):
        recon, mu, logvar = super().forward(x, eps)
        return recon, 2.0 * mu, logvar


def test_the_fast_step_is_chosen_only_for_the_plain_vae():
    config = vae_config()
    x = torch.zeros(8, 6)
    device = torch.device("cpu")
    assert isinstance(VAETask(build_vae(6, config), x, None, config, device).step, FastVAEStep)
    variant = WiderMuVAE(6, [32, 16], 10)
    assert isinstance(VAETask(variant, x, None, config, device).step, AutogradVAEStep)
    forced = VAETask(build_vae(6, config), x, None, config, device, gradients="autograd")
    assert isinstance(forced.step, AutogradVAEStep)
    with pytest.raises(ValueError, match="plain VAE"):
        VAETask(variant, x, None, config, device, gradients="fast")
    fit_vae(variant, np.ones((20, 6)), None, vae_config(epochs=1), device)  # trains by autograd


def test_forward_uses_mu_plus_sigma_eps_and_encode_mu_is_numpy_friendly():
    model = VAE(6, [8], 3, generator=make_generator(0))
    x = torch.randn(4, 6, generator=make_generator(1))
    mu, _ = model.encode(x)
    _, mu_f, _ = model(x, torch.zeros(4, 3))
    assert torch.equal(mu, mu_f)
    out = model.encode_mu(x.numpy())
    assert isinstance(out, np.ndarray) and np.allclose(out, mu.detach().numpy())
    assert torch.equal(model.decode(mu), model(x, torch.zeros(4, 3))[0])


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    root = tmp_path_factory.mktemp("vae_inputs")
    return {**write_model_inputs(root), "root": root}


def train(inputs, out, **overrides):
    return train_vae_run(
        name="v",
        config=vae_config(**overrides),
        scaling=SCALING,
        features_path=inputs["features"],
        split_paths=inputs["splits"],
        output_dir=out,
        device=torch.device("cpu"),
        resume_dir=out.parent / ".resume" / out.name,
        full_config={"vae": {"models": {"v": vae_config(**overrides).to_dict()}}},
        workflow_dir=".",
    )


def test_train_vae_run_writes_the_contract(inputs, tmp_path):
    out = tmp_path / "v"
    result = train(inputs, out)
    for name in MODEL_FILES:
        assert (out / name).is_file(), name
    assert not (tmp_path / ".resume" / "v").exists()

    features = read_dataset(inputs["features"]).frame
    train_rows = len(read_dataset(inputs["splits"]["train"]).frame)
    history = pd.read_csv(out / "history.csv")
    assert list(history.columns[:8]) == [
        "epoch",
        "beta",
        "loss",
        "recon",
        "kl",
        "val_loss",
        "val_recon",
        "val_kl",
    ]
    assert history["epoch"].tolist() == [1, 2, 3]
    assert history["beta"].tolist() == pytest.approx([1e-10, 0.375, 0.75])
    assert np.allclose(history["loss"], history["recon"] + history["beta"] * history["kl"])
    assert result.epochs_run == 3

    config = json.loads((out / "config.json").read_text())
    assert config["train_on"] == "train" and config["split"] == "size_balanced"
    assert config["rows"]["train"] == train_rows and config["architecture"]["parameters"] == 2010
    scaler = Scaler.from_json(out / "scaler.json")
    assert scaler.n_samples == train_rows  # scaler_fit: train

    embeddings = pd.read_parquet(out / "embeddings.parquet")
    assert list(embeddings.columns) == [
        "borehole_id",
        "depth_bin_m",
        "label",
        "split",
        *[f"mu_{i}" for i in range(10)],
    ]
    assert len(embeddings) == len(features)
    assert (embeddings["split"] == "train").sum() == train_rows
    assert set(embeddings["split"]) == {"train", "val", "test"}

    model, scaler, feature_list = load_vae(out)
    assert not model.training and feature_list == ["GRA", "MS", "NGR", "R", "G", "B"]
    mu = model.encode_mu(scaler.transform(features[feature_list].to_numpy()))
    assert np.allclose(mu, embeddings[[f"mu_{i}" for i in range(10)]].to_numpy(), atol=1e-6)
    torch.load(out / "model.pt", weights_only=True)

    provenance = json.loads((out / "provenance.json").read_text())
    for key in ("config", "lithoflow_version", "git_commit", "git_dirty", "device", "versions"):
        assert key in provenance, key
    assert provenance["device"].startswith("cpu")


def test_train_on_all_has_no_validation_and_all_fitted_scaler(inputs, tmp_path):
    out = tmp_path / "all"
    train(inputs, out, train_on="all", scaler_fit="all")
    n_rows = len(read_dataset(inputs["features"]).frame)
    history = pd.read_csv(out / "history.csv")
    assert "val_loss" not in history.columns
    assert Scaler.from_json(out / "scaler.json").n_samples == n_rows
    assert json.loads((out / "config.json").read_text())["rows"]["train"] == n_rows


def test_same_seed_gives_identical_outputs(inputs, tmp_path):
    train(inputs, tmp_path / "a" / "v")
    train(inputs, tmp_path / "b" / "v")
    for name in ("model.pt", "scaler.json", "config.json", "embeddings.parquet"):
        a = (tmp_path / "a" / "v" / name).read_bytes()
        assert a == (tmp_path / "b" / "v" / name).read_bytes(), name
    history_a = pd.read_csv(tmp_path / "a" / "v" / "history.csv").drop(columns="seconds")
    history_b = pd.read_csv(tmp_path / "b" / "v" / "history.csv").drop(columns="seconds")
    pd.testing.assert_frame_equal(history_a, history_b)
