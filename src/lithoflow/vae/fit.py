"""Fitting a VAE: its objective, the epoch task (shuffled batches, beta per epoch, validation
losses) and the resumable epoch loop."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from lithoflow.core.errors import InputDataError
from lithoflow.training.checkpoints import ResumeStore
from lithoflow.training.loop import (
    GeneratorsAndOptimizer,
    TrainingResult,
    batch_bounds,
    derive_seeds,
    make_generator,
    run_epochs,
    shuffled,
    to_tensor,
)
from lithoflow.vae.config import VAEConfig
from lithoflow.vae.network import VAE
from lithoflow.vae.objectives import (
    AuxTarget,
    BetaTCObjective,
    PlainObjective,
    SemiSupervisedObjective,
    VAEObjective,
    vae_loss_terms,
)
from lithoflow.vae.steps import make_vae_step

log = logging.getLogger(__name__)


class VAETask(GeneratorsAndOptimizer):
    """One VAE training run for `run_epochs`: data on the device, a step, two generators.

    Each epoch draws one permutation (shuffle generator) and one block of N(0, 1) noise (noise
    generator). Validation uses a fixed noise draw, so val losses of different epochs compare.
    `objective` is the kind's loss (plain by default); `target_train`/`target_val` the rows'
    auxiliary targets where it needs them (semi_supervised).
    """

    def __init__(
        self,
        model: VAE,
        x_train: torch.Tensor,
        x_val: torch.Tensor | None,
        config: VAEConfig,
        device: torch.device,
        gradients: str = "auto",
        objective: VAEObjective | None = None,
        target_train: torch.Tensor | None = None,
        target_val: torch.Tensor | None = None,
    ) -> None:
        self.model = model
        self.config = config
        self.x_train = x_train
        self.x_val = x_val if x_val is not None and x_val.shape[0] else None
        self.objective = objective if objective is not None else PlainObjective()
        self.target_train = target_train
        self.target_val = target_val if self.x_val is not None else None
        self.step = make_vae_step(
            model, config.learning_rate, gradients, self.objective, x_train.shape[0]
        )
        self.optimizer = self.step.optimizer
        _, shuffle_seed, noise_seed, val_seed = derive_seeds(config.seed, 4)
        self.shuffle_generator = make_generator(shuffle_seed, device)
        self.noise_generator = make_generator(noise_seed, device)
        self.generators = {
            "shuffle_generator": self.shuffle_generator,
            "noise_generator": self.noise_generator,
        }
        self.val_eps = None
        if self.x_val is not None:
            shape = (self.x_val.shape[0], model.latent_dim)
            generator = make_generator(val_seed, device)
            self.val_eps = torch.randn(shape, generator=generator, device=device)
        self.bounds = batch_bounds(x_train.shape[0], config.batch_size)

    @torch.no_grad()
    def train_epoch(self, epoch: int) -> dict[str, float]:
        beta = self.config.beta(epoch)
        n_rows = self.x_train.shape[0]
        tensors = [self.x_train] if self.target_train is None else [self.x_train, self.target_train]
        x_epoch, *targets = shuffled(tensors, self.shuffle_generator)
        eps = torch.randn(
            (n_rows, self.model.latent_dim),
            generator=self.noise_generator,
            device=self.x_train.device,
        )
        names = ("recon", "kl_twice", *self.objective.extra_terms)
        totals = {
            name: torch.zeros((), dtype=torch.float64, device=self.x_train.device) for name in names
        }
        for start, stop in self.bounds:
            target = targets[0][start:stop] if targets else None
            sums = self.step.loss_and_grad(x_epoch[start:stop], eps[start:stop], beta, target)
            self.optimizer.step()
            for name in names:
                totals[name] += sums[name]
        recon = totals["recon"].item() / n_rows
        kl = 0.5 * totals["kl_twice"].item() / n_rows
        terms = {"recon": recon, "kl": kl}
        terms.update({name: totals[name].item() / n_rows for name in self.objective.extra_terms})
        return {"beta": beta, "loss": self.objective.loss(terms, beta), **terms}

    @torch.no_grad()
    def evaluate(self, epoch: int) -> dict[str, float]:
        if self.x_val is None:
            return {}
        beta = self.config.beta(epoch)
        if isinstance(self.objective, PlainObjective):  # one batch: no term depends on its size
            recon_x, mu, logvar = self.model(self.x_val, self.val_eps)
            recon, kl = (t.item() for t in vae_loss_terms(self.x_val, recon_x, mu, logvar))
            return {"val_loss": recon + beta * kl, "val_recon": recon, "val_kl": kl}
        # In training batches: the β-TCVAE estimator depends on the batch size.
        n_rows = self.x_val.shape[0]
        totals: dict[str, float] = {}
        for start, stop in batch_bounds(n_rows, self.config.batch_size):
            target = None if self.target_val is None else self.target_val[start:stop]
            x, eps = self.x_val[start:stop], self.val_eps[start:stop]
            for name, value in self.objective.terms(self.model, x, eps, target, n_rows).items():
                totals[name] = totals.get(name, 0.0) + value.item() * (stop - start)
        terms = {name: total / n_rows for name, total in totals.items()}
        values = {"val_loss": self.objective.loss(terms, beta)}
        return values | {f"val_{name}": value for name, value in terms.items()}


def make_objective(config: VAEConfig, aux: AuxTarget | None = None) -> VAEObjective:
    """The loss of the config's kind."""
    if config.kind == "vae":
        return PlainObjective()
    if config.kind == "beta_tcvae":
        if config.tc_weight is None:
            raise ValueError("kind beta_tcvae needs tc_weight")
        return BetaTCObjective(config.tc_weight)
    if config.kind == "semi_supervised":
        if aux is None or config.aux_weight is None:
            raise ValueError("kind semi_supervised needs aux_target and aux_weight")
        return SemiSupervisedObjective(config.aux_weight, aux)
    raise ValueError(f"unknown VAE kind {config.kind!r}")


def fit_vae(
    model: VAE,
    x_train: np.ndarray,
    x_val: np.ndarray | None,
    config: VAEConfig,
    device: torch.device,
    *,
    resume: ResumeStore | None = None,
    on_epoch_end: Callable[[dict[str, Any]], None] | None = None,
    gradients: str = "auto",
    aux: AuxTarget | None = None,
    targets: tuple[np.ndarray, np.ndarray | None] | None = None,
) -> TrainingResult:
    """Train `model` in place on scaled rows for config.epochs; the last epoch's weights stay.

    No early stopping (the recipe saves the weights after the last epoch); the validation loss,
    if `x_val` has rows, is logged every epoch. `gradients` picks the step (GRADIENT_PATHS):
    "auto" takes the hand-written one for the plain VAE and autograd for anything else.
    A semi-supervised VAE takes its target's encoding `aux` and the encoded (train, val)
    `targets` of the rows.
    """
    if x_train.shape[0] == 0:
        raise InputDataError("the VAE has no training rows")
    model.to(device)
    train = to_tensor(x_train, device)
    val = None
    if x_val is not None and x_val.shape[0]:
        val = to_tensor(x_val, device)
    target_train = target_val = None
    if targets is not None and aux is not None:
        dtype = torch.int64 if aux.is_classification else torch.float32
        target_train = to_tensor(targets[0], device, dtype)
        if val is not None and targets[1] is not None:
            target_val = to_tensor(targets[1], device, dtype)
    task = VAETask(
        model,
        train,
        val,
        config,
        device,
        gradients,
        objective=make_objective(config, aux),
        target_train=target_train,
        target_val=target_val,
    )
    return run_epochs(task, config.epochs, resume=resume, on_epoch_end=on_epoch_end)
