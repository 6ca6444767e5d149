"""VAE kinds beta_tcvae and semi_supervised: losses, training, save/load and their config checks."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from lithoflow.classifiers.spec import embedding_run_for
from lithoflow.core.errors import ConfigError
from lithoflow.training.loop import make_generator
from lithoflow.vae.config import VAEConfig
from lithoflow.vae.fast_step import FastVAEStep
from lithoflow.vae.fit import VAETask, make_objective
from lithoflow.vae.network import VAE, SemiSupervisedVAE, build_vae
from lithoflow.vae.objectives import (
    UNSEEN_CLASS,
    AuxTarget,
    BetaTCObjective,
    SemiSupervisedObjective,
    gaussian_log_density,
    tc_decomposition,
)
from lithoflow.vae.run import load_vae, train_vae_run
from lithoflow.vae.steps import AutogradVAEStep
from tests.support.config import check_config, tiny_config
from tests.support.model_data import write_model_inputs

from .test_vae import SCALING, vae_config

REPO = Path(__file__).resolve().parents[2]


# --- the β-TCVAE decomposition -------------------------------------------------------------------


def test_mi_tc_dwkl_add_up_to_the_sampled_kl():
    gen = make_generator(0)
    mu = torch.randn(64, 4, generator=gen)
    logvar = 0.3 * torch.randn(64, 4, generator=gen)
    z = mu + torch.exp(0.5 * logvar) * torch.randn(64, 4, generator=gen)
    mi, tc, dwkl = tc_decomposition(z, mu, logvar, dataset_size=1000)
    sampled_kl = (
        gaussian_log_density(z, mu, logvar).sum(1)
        - gaussian_log_density(z, torch.zeros_like(z), torch.zeros_like(z)).sum(1)
    ).mean()
    assert (mi + tc + dwkl).item() == pytest.approx(sampled_kl.item(), rel=1e-5, abs=1e-5)


def _latents(correlated: bool, n: int = 400, seed: int = 1) -> torch.Tensor:
    gen = make_generator(seed)
    mu = torch.randn(n, 2, generator=gen)
    if correlated:
        mu[:, 1] = mu[:, 0] + 0.05 * torch.randn(n, generator=gen)
    return mu


def test_total_correlation_is_larger_for_dependent_latent_dimensions():
    # Narrow posteriors around μ: the aggregate posterior is the distribution of μ, whose two
    # dimensions are independent in one case and nearly equal in the other.
    logvar = torch.full((400, 2), math.log(0.05**2))
    tcs = {}
    for correlated in (False, True):
        mu = _latents(correlated)
        _, tc, _ = tc_decomposition(mu, mu, logvar, dataset_size=400)
        tcs[correlated] = tc.item()
    # Minibatch-weighted sampling adds the same constant to both estimates, so only the
    # difference is meaningful: dependent dimensions carry far more total correlation.
    assert tcs[True] > tcs[False] + 1.0


def test_beta_tcvae_gradients_are_finite_and_the_fast_step_is_not_used():
    config = vae_config(kind="beta_tcvae", tc_weight=6.0, hidden=[8], latent_dim=3)
    model = build_vae(6, config)
    assert type(model) is VAE
    x = torch.randn(32, 6, generator=make_generator(2))
    task = VAETask(model, x, x[:8], config, torch.device("cpu"), objective=make_objective(config))
    assert isinstance(task.step, AutogradVAEStep)
    assert not isinstance(task.step, FastVAEStep)
    sums = task.step.loss_and_grad(x, torch.randn(32, 3, generator=make_generator(3)), 0.5)
    assert set(sums) == {"recon", "kl_twice", "mi", "tc", "dwkl"}
    for param in model.parameters():
        assert param.grad is not None and torch.isfinite(param.grad).all()
    history = task.train_epoch(0) | task.evaluate(0)
    assert {"tc", "mi", "dwkl", "val_tc", "val_loss"} <= set(history)
    assert all(math.isfinite(v) for v in history.values())
    with pytest.raises(ValueError, match="plain VAE and loss"):
        VAETask(model, x, None, config, torch.device("cpu"), "fast", make_objective(config))


def test_tc_weight_one_loss_is_beta_times_the_sampled_kl():
    terms = {"recon": 2.0, "kl": 9.0, "mi": 1.0, "tc": 0.5, "dwkl": 0.25}
    assert BetaTCObjective(1.0).loss(terms, 0.5) == pytest.approx(2.0 + 0.5 * 1.75)
    assert BetaTCObjective(6.0).loss(terms, 0.5) == pytest.approx(2.0 + 0.5 * (1.25 + 3.0))


# --- the semi-supervised head --------------------------------------------------------------------


def test_aux_target_encodings():
    classes = AuxTarget.fit("group", pd.Series(["b", "a", "b"]))
    assert classes.classes == ("a", "b") and classes.n_outputs == 2
    assert list(classes.encode(["a", "c", "b"])) == [0, UNSEEN_CLASS, 1]
    depth = AuxTarget.fit("depth", np.array([1.0, 3.0]))
    assert depth.n_outputs == 1
    assert depth.encode([2.0, 3.0]) == pytest.approx([0.0, 1.0])
    assert AuxTarget.from_dict(depth.to_dict()) == depth
    assert AuxTarget.from_dict(classes.to_dict()) == classes
    with pytest.raises(ValueError, match="aux_target"):
        AuxTarget.fit("colour", ["x"])


@pytest.mark.parametrize("target", ["group", "depth"])
def test_aux_loss_decreases_over_a_few_adam_steps(target):
    gen = make_generator(4)
    x = torch.randn(64, 6, generator=gen)
    if target == "depth":
        encoding = AuxTarget.fit("depth", x[:, 0].numpy())
        y = torch.tensor(encoding.encode(x[:, 0].numpy()), dtype=torch.float32)
    else:
        raw = np.where(x[:, 0].numpy() > 0, "up", "down")
        encoding = AuxTarget.fit("group", raw)
        y = torch.tensor(encoding.encode(raw))
        y[:3] = UNSEEN_CLASS  # ignored rows change nothing
    model = SemiSupervisedVAE(6, [16], 3, encoding.n_outputs, generator=make_generator(5))
    step = AutogradVAEStep(model, 1e-2, SemiSupervisedObjective(5.0, encoding))
    eps = torch.zeros(64, 3)
    aux = []
    for _ in range(30):
        sums = step.loss_and_grad(x, eps, 0.1, y)
        assert all(torch.isfinite(p.grad).all() for p in model.parameters())
        step.optimizer.step()
        aux.append(sums["aux"].item() / 64)
    assert aux[-1] < 0.7 * aux[0]


def test_classification_rows_all_unseen_give_zero_aux_loss():
    encoding = AuxTarget("group", classes=("a", "b"))
    model = SemiSupervisedVAE(6, [8], 2, 2)
    terms = SemiSupervisedObjective(1.0, encoding).terms(
        model, torch.zeros(4, 6), torch.zeros(4, 2), torch.full((4,), UNSEEN_CLASS), 4
    )
    assert terms["aux"].item() == 0.0


def _train(tmp_path: Path, **overrides):
    inputs = write_model_inputs(tmp_path)
    out = tmp_path / "results/models/vae/v"
    config = vae_config(**overrides)
    train_vae_run(
        name="v",
        config=config,
        scaling=SCALING,
        features_path=inputs["features"],
        split_paths=inputs["splits"],
        output_dir=out,
        device=torch.device("cpu"),
        resume_dir=tmp_path / ".resume",
        full_config={"vae": {"models": {"v": config.to_dict()}}},
        workflow_dir=".",
        hierarchy_path=inputs["mapping"],
    )
    return out


@pytest.mark.parametrize(
    "overrides",
    [
        {"kind": "semi_supervised", "aux_target": "group", "aux_weight": 1.0},
        {"kind": "semi_supervised", "aux_target": "depth", "aux_weight": 0.5, "aux_hidden": [4]},
        {"kind": "beta_tcvae", "tc_weight": 6.0},
    ],
)
def test_variants_train_save_and_load_with_weights_only(tmp_path, overrides):
    out = _train(tmp_path, epochs=2, **overrides)
    model, _, features = load_vae(out)  # torch.load(weights_only=True) inside
    saved = json.loads((out / "config.json").read_text())
    assert saved["architecture"]["kind"] == overrides["kind"]
    history = pd.read_csv(out / "history.csv")
    embeddings = pd.read_parquet(out / "embeddings.parquet")
    assert embeddings.filter(like="mu_").notna().all().all()
    if overrides["kind"] == "semi_supervised":
        assert isinstance(model, SemiSupervisedVAE)
        assert saved["aux"]["target"] == overrides["aux_target"]
        assert "aux" in history and "val_aux" in history
    else:
        assert type(model) is VAE and saved["training"]["tc_weight"] == 6.0
        assert {"mi", "tc", "dwkl"} <= set(history)
    assert np.isfinite(history.drop(columns=["seconds"], errors="ignore").to_numpy()).all()
    mu = model.encode_mu(np.zeros((2, len(features)), dtype=np.float32))
    assert mu.shape == (2, 10)


def test_plain_settings_and_config_json_have_no_kind_keys(tmp_path):
    assert "kind" not in vae_config().to_dict()
    assert vae_config(kind="beta_tcvae", tc_weight=2.0).to_dict()["tc_weight"] == 2.0
    saved = json.loads((_train(tmp_path, epochs=1) / "config.json").read_text())
    assert "kind" not in saved["architecture"] and "aux" not in saved


# --- config checks ---------------------------------------------------------------------------


@pytest.fixture()
def config() -> dict:
    """config.yaml with the tests' tiny overrides, which add the β-TCVAE that config.yaml has
    commented out."""
    return tiny_config()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c["vae"]["models"]["v2_6_7"].update(tc_weight=6.0),
         "vae.models.v2_6_7.tc_weight: only used with kind 'beta_tcvae'"),
        (lambda c: c["vae"]["models"]["tcvae"].pop("tc_weight"),
         "vae.models.tcvae.tc_weight: required for kind 'beta_tcvae'"),
        (lambda c: c["vae"]["models"]["tcvae"].update(aux_weight=1.0),
         "vae.models.tcvae.aux_weight: only used with kind 'semi_supervised'"),
        (lambda c: c["vae"]["models"]["semisup"].pop("aux_target"),
         "vae.models.semisup.aux_target: required for kind 'semi_supervised'"),
        (lambda c: c["validation"]["vae_comparison"].update(direct_run="nope"),
         "validation.vae_comparison.direct_run: 'nope' is not one of"),
        (lambda c: c["validation"]["vae_comparison"].update(direct_run="v1_1"),
         "validation.vae_comparison.direct_run: 'v1_1' is an embedding run"),
    ],
)  # fmt: skip
def test_kind_keys_are_checked_by_name(config, edit, message):
    bad = copy.deepcopy(config)
    edit(bad)
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        check_config(bad)


def test_each_sweep_vae_has_its_group_classifier(config):
    runs = config["classifiers"]["runs"]
    found = {vae: embedding_run_for(vae, runs, "group") for vae in config["vae"]["models"]}
    assert found == {
        "v2_6_7": "v1_1",
        "latent20": "v1_1_latent20",
        "beta025": "v1_1_beta025",
        "tcvae": "v1_1_tcvae",
        "semisup": "v1_1_semisup",
    }
    assert embedding_run_for("v2_6_7", runs, "lithology") == "v2_6_7_random"
    assert VAEConfig.from_config(config["vae"]["models"]["tcvae"]).kind == "beta_tcvae"
